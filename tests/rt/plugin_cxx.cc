/*
 * What keeps a C++ plugin mapped after dlclose (test_rt_unload): built into
 * variants of plugin_calc.c, whose instance_new calls rt_cxx_new on the
 * thread that creates the instance.
 *
 * RT_TLS: a thread_local object with a destructor.  Its first use on a
 * thread registers the destructor (__cxa_thread_atexit), and glibc keeps
 * the object mapped while that thread lives.
 *
 * RT_UNIQUE=1 or 4: as many static data members of a class template of
 * default visibility, which g++ emits as STB_GNU_UNIQUE symbols (clang++
 * as weak ones); glibc never unloads an object that defines one.
 */
extern "C" void rt_cxx_new(void);

#if defined(RT_TLS)

struct counter {
	unsigned n;                        /* instances created on this thread */
	~counter() { n = 0; }              /* user-provided: the object needs a registered destructor */
};

static thread_local counter created;

extern "C" void rt_cxx_new(void)
{
	created.n++;
}

#elif defined(RT_UNIQUE)

template <class T> struct __attribute__((visibility("default"))) shared {
	static T count;
};
template <class T> T shared<T>::count;

extern "C" void rt_cxx_new(void)
{
	shared<int>::count++;
#if RT_UNIQUE > 1
	shared<long>::count++;
	shared<short>::count++;
	shared<unsigned>::count++;
#endif
}

#endif
