//! Replays each fuzz target's saved corpus (`fuzz/corpus/<target>/`, the
//! minimised inputs `make fuzz` found interesting) and the inputs that once
//! crashed it (`fuzz/regressions/<target>/`, kept apart so minimising never
//! drops them) through the same entry function the fuzzer calls, on stable:
//! what once broke a parser stays fixed.

use std::path::Path;

fn replay(target: &str) {
    let (_, run) = sso_server::fuzzing::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz target {target}"));
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let corpus = fuzz.join("corpus").join(target);
    let regressions = fuzz.join("regressions").join(target);
    let files = |dir: &Path| -> Vec<std::path::PathBuf> {
        match std::fs::read_dir(dir) {
            Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => panic!("{}: {e}", dir.display()),
        }
    };
    let corpus_files = files(&corpus);
    assert!(!corpus_files.is_empty(), "the corpus of {target} is empty");
    for path in corpus_files.iter().chain(&files(&regressions)) {
        let data = std::fs::read(path).unwrap();
        let replayed = std::panic::catch_unwind(|| run(&data));
        assert!(replayed.is_ok(), "{} panics", path.display());
    }
}

macro_rules! corpus_tests {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target));
            }
        )*
        /// Every target has its replay test.
        #[test]
        fn every_target_is_replayed() {
            let replayed = [$(stringify!($target)),*];
            for (name, _) in sso_server::fuzzing::TARGETS {
                assert!(replayed.contains(&name), "{name} has no replay test");
            }
        }
    };
}

corpus_tests!(
    sso_query,
    form_fields,
    access_token,
    stored_records,
    client_credentials,
    external_id_token,
    config_file,
    session_cookie,
);
