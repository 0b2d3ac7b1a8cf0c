//! The watch: a callback once a file renamed over a watched path.

use rdy::{ErrorCode, Watch};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn a_file_replaced_by_rename_fires_once() {
    let base = std::env::var_os("RDY_TEST_WORK").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("plugin.so");
    let w = Watch::new(50).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    w.add(&target, move |p| s.lock().unwrap().push(p.to_path_buf())).unwrap();
    let other = Arc::new(AtomicU32::new(0));
    let o = Arc::clone(&other);
    w.add(dir.join("other.so"), move |_| {
        o.fetch_add(1, Ordering::Relaxed);
    })
    .unwrap();
    assert!(w.fd() >= 0);
    assert_eq!(w.dispatch(0).unwrap(), 0);

    let tmp = dir.join(".plugin.so.tmp");
    std::fs::write(&tmp, b"new build").unwrap();
    std::fs::rename(&tmp, &target).unwrap();
    let end = Instant::now() + Duration::from_secs(10);
    let mut fired = 0;
    while fired == 0 && Instant::now() < end {
        fired = w.dispatch(500).unwrap();
    }
    assert_eq!(fired, 1);
    assert_eq!(*seen.lock().unwrap(), std::slice::from_ref(&target));
    assert_eq!(w.dispatch(200).unwrap(), 0, "a rename fires once");
    assert_eq!(other.load(Ordering::Relaxed), 0);

    let e = w.add(&dir, |_| ()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Inval);
    let e = w.add(dir.join("missing/x.so"), |_| ()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io);

    w.start().unwrap();
    assert_eq!(w.dispatch(0).unwrap_err().code(), ErrorCode::Busy);
    w.stop().unwrap();
}
