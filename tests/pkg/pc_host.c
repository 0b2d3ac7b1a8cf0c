/*
 * Built by pkg_check.sh with nothing but `pkg-config --cflags --libs rdy`:
 * the installed headers compile and librdy links and loads.
 */
#include <rdy.h>

#include <stdio.h>

int main(void)
{
	printf("%s\n", rdy_strerror(RDY_EINCOMPATIBLE));
	return 0;
}
