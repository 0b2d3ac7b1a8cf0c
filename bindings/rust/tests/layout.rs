//! The layouts and constants of `rdy::sys` against the C compiler's: a C
//! program, written from the same list, prints sizeof, _Alignof, offsetof
//! and the constants of include/rdy.h, and every line must match Rust's.
//! CC (default `cc`) compiles it; RDY_INCLUDE_DIR (default ../../include,
//! this tree's) is where the headers are.

use rdy::sys::*;
use std::collections::BTreeMap;
use std::env;
use std::fmt::Write as _;
use std::mem::{align_of, offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;

/// (C expression, what Rust says it is, as printed).
type Row = (String, String, u64);

macro_rules! rows {
    ($rows:ident; $($t:ident { $($f:ident $(= $c:ident)?),* })*) => {$(
        $rows.push((format!("{} size", stringify!($t)), format!("sizeof({})", stringify!($t)), size_of::<$t>() as u64));
        $rows.push((format!("{} align", stringify!($t)), format!("_Alignof({})", stringify!($t)), align_of::<$t>() as u64));
        $(
            let c = [$(stringify!($c),)? stringify!($f)][0];
            $rows.push((format!("{}.{}", stringify!($t), c), format!("offsetof({}, {})", stringify!($t), c),
                        offset_of!($t, $f) as u64));
        )*
    )*};
}

macro_rules! consts {
    ($rows:ident; $($c:ident)*) => {$(
        $rows.push((stringify!($c).to_string(), stringify!($c).to_string(), $c as u64));
    )*};
}

fn rust_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    rows! { rows;
        rdy_string_t { ptr, len }
        rdy_func_v1 { call, release }
        rdy_imports_v1 { ctx, nfuncs, size, funcs, handles, rt }
        rdy_handles_v1 { own_new, rep, take, drop }
        rdy_resource_v1 { drop }
        rdy_plugin_root_v1 { magic, major, minor, reserved, size, descriptor, descriptor_len, producer, exports,
                             nexports, nimports, instance_new, instance_free, resources, nresources, reserved2 }
        rdy_instance_config { imports, nimports, ctx, pass_instance, drops, ndrops }
        rdy_handle_slot { key, rep, inst, prev, next }
        rdy__lends_t { n, h }
        rdy_open_config { reloadable, pinned, cache_dir, lock }
        rdy_reload_info { build, instances, restored, serving, note }
        rdy_build { self_ = self, funcs, instance, build }
        rdy_live { cur }
        rdy__reader_t { top, lim, registered, in_ = in }
    }
    for t in ["rdy_fn", "rdy_release_fn", "rdy_drop_fn", "rdy_watch_fn"] {
        rows.push((format!("{t} size"), format!("sizeof({t})"), 8));
    }
    consts! { rows;
        RDY_ABI_MAJOR RDY_ABI_MINOR RDY_ROOT_V1_0_SIZE
        RDY_OK RDY_ETRAP RDY_EABSENT RDY_ENOMEM RDY_EINVAL RDY_EIO RDY_EFORMAT RDY_EINCOMPATIBLE RDY_EDLOPEN
        RDY_EBUSY RDY_EDEAD RDY_EKEPT RDY_EHANDLE
        RDY__SLOT_LIVE RDY__SLOT_BORROW RDY__SLOT_DEAD RDY__PAGE_BITS RDY__PAGES RDY__LENDS RDY__DEPTH
    }
    rows
}

fn c_program(rows: &[Row]) -> String {
    let mut c =
        String::from("#include <stddef.h>\n#include <stdio.h>\n#include \"rdy_outline.h\"\n\nint main(void)\n{\n");
    for (name, expr, _) in rows {
        writeln!(c, "\tprintf(\"%s=%llu\\n\", \"{name}\", (unsigned long long)({expr}));").unwrap();
    }
    c.push_str(
        "\tprintf(\"%s=%s\\n\", \"RDY_PLUGIN_SYMBOL\", RDY_PLUGIN_SYMBOL);\n\
         \tprintf(\"%s=%s\\n\", \"RDY_DESCRIPTOR_SECTION\", RDY_DESCRIPTOR_SECTION);\n\
         \tprintf(\"%s=%s\\n\", \"RDY_DESCRIPTOR_NOTE_NAME\", RDY_DESCRIPTOR_NOTE_NAME);\n\
         \tprintf(\"%s=%d\\n\", \"RDY_DESCRIPTOR_NOTE_TYPE\", RDY_DESCRIPTOR_NOTE_TYPE);\n\treturn 0;\n}\n",
    );
    c
}

#[test]
fn layouts_and_constants_match_the_c_compiler() {
    let rows = rust_rows();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layout");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, c_program(&rows)).unwrap();
    let include = env::var_os("RDY_INCLUDE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../include"));
    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-I"])
        .arg(&include)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("{cc} could not run: {e}"));
    assert!(out.status.success(), "{cc} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(&exe).output().unwrap();
    assert!(out.status.success());
    let c: BTreeMap<String, String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let mut rust: BTreeMap<String, String> = rows.into_iter().map(|(k, _, v)| (k, v.to_string())).collect();
    rust.insert("RDY_PLUGIN_SYMBOL".into(), RDY_PLUGIN_SYMBOL.into());
    rust.insert("RDY_DESCRIPTOR_SECTION".into(), RDY_DESCRIPTOR_SECTION.into());
    rust.insert("RDY_DESCRIPTOR_NOTE_NAME".into(), RDY_DESCRIPTOR_NOTE_NAME.into());
    rust.insert("RDY_DESCRIPTOR_NOTE_TYPE".into(), RDY_DESCRIPTOR_NOTE_TYPE.to_string());
    let wrong: Vec<String> = rust
        .iter()
        .filter(|(k, v)| c.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: Rust {v}, C {}", c.get(k).map_or("(none)", String::as_str)))
        .collect();
    assert!(wrong.is_empty(), "layouts differ:\n{}", wrong.join("\n"));
    assert_eq!(c.len(), rust.len());
}
