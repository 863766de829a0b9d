//! `cargo book`: build the book with the mdBook library, or write its chapters
//! out after include expansion (what the snippet tests compile).

use std::path::PathBuf;
use std::process::ExitCode;

use book_tools::{Diagnostics, book_root, build_html, expand_chapters};

const USAGE: &str = "\
usage: cargo book [COMMAND]

commands:
  build [--dest DIR]   build the HTML book into DIR (default: book/)
  expand DIR           write each chapter, includes expanded, under DIR
";

fn main() -> ExitCode {
    let diagnostics = Diagnostics::install();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = book_root();

    let result = match args.as_slice() {
        [] | ["build"] => build_html(&root, None),
        ["build", "--dest", dest] => build_html(&root, Some(PathBuf::from(dest))),
        ["expand", dest] => expand_chapters(&root, &PathBuf::from(dest)).map(|written| {
            eprintln!("Wrote {} chapters to {dest}", written.len());
        }),
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    if let Err(error) = result {
        eprintln!("error: {error:#}");
        return ExitCode::FAILURE;
    }
    // mdBook reports some problems (a missing file, an unknown config key) as
    // warnings and carries on; the book is not right until there are none.
    let problems = diagnostics.count();
    if problems > 0 {
        eprintln!("error: mdBook reported {problems} warning(s) or error(s); see above");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
