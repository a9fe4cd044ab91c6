//! Every input the fuzzer ever failed on (and a seed input per target), run through the same
//! checks as the fuzzer: each must end in a result or a named error, within the time limit.

use std::sync::mpsc;
use std::time::Duration;

use fuzz::{regressions_dir, run_guarded, Case, Target, Verdict};

#[global_allocator]
static ALLOCATOR: fuzz::alloc::Counting = fuzz::alloc::Counting;

#[test]
fn every_kept_input_ends_in_a_result_or_a_named_error() {
    let fixtures = std::sync::Arc::new(fuzz::fixtures::load().expect("the fixtures in ../shared/fixtures"));
    let mut failures = Vec::new();
    for target in Target::ALL {
        let dir = regressions_dir().join(target.name());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{} has no inputs", dir.display());
        for path in files {
            let name = path.file_name().and_then(|n| n.to_str()).expect("a file name").to_string();
            let input = std::fs::read(&path).expect("readable");
            let case = Case::from_file(target, &name, input, &fixtures)
                .unwrap_or_else(|| panic!("{name}: the name does not say fixture__tile__variant__label"));
            // Debug builds decode a few times slower than the fuzzer's release build.
            let (send, receive) = mpsc::channel();
            let shared = std::sync::Arc::clone(&fixtures);
            std::thread::spawn(move || {
                let _ = send.send(run_guarded(&case, &shared));
            });
            match receive.recv_timeout(Duration::from_secs(60)) {
                Ok(Verdict::Failure(why)) => failures.push(format!("{}/{name}: {why}", target.name())),
                Ok(_) => {}
                Err(_) => failures.push(format!("{}/{name}: still running after 60 s", target.name())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
