//! Compiles the cases named in `BOOK_COMPILE_FAIL_CASES` (one path a line,
//! relative to the repository root) and compares each compiler output with
//! the `.stderr` snapshot beside it. `TRYBUILD=overwrite` rewrites the
//! snapshots from the real compiler output.

#[test]
#[ignore = "run by `cargo test --test compile_fail` in the repository root, \
            which names the cases"]
fn compile_fail_cases() {
    let cases = std::env::var("BOOK_COMPILE_FAIL_CASES")
        .expect("BOOK_COMPILE_FAIL_CASES names the cases (one path a line)");
    let tests = trybuild::TestCases::new();
    for case in cases.lines() {
        tests.compile_fail(case);
    }
}
