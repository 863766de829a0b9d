//! `cargo book`: serve the book, build it, or write out its expanded chapters.

use std::path::PathBuf;
use std::process::ExitCode;

use book_tools::server::{self, Options};
use book_tools::{Diagnostics, book_root, build_html, expand_chapters};

const USAGE: &str = "\
usage: cargo book [COMMAND] [OPTIONS]

commands:
  serve (default)     build the book, serve it on 127.0.0.1 with live reload
                      and a local playground for the Run buttons
      --port N        port to listen on (default 3000; 0 picks a free one)
      --open          open the book in a browser
  build               build the HTML book into book/
      --dest DIR      build into DIR instead
  expand DIR          write each chapter, includes expanded, under DIR
  links               list the chapters' external links (the tests check
                      only the links inside the book: they have no network)
  exercise [NAME]     list the exercises and how far you are with each; with
                      NAME, start it (writes exercises/NAME.rs from the
                      starter) or check your attempt with the book's own
                      verifiers: native runs, then Miri seeds
      --watch         check again on every save
      --seed N        check only Miri seed N (as a failure suggests)
      --reset         replace your attempt with the starter (asks first)
      --force         with --reset: do not ask
      --attempts DIR  keep attempts in DIR instead of exercises/

common options:
      --root DIR      the book to use (default: this repository)
";

struct Args {
    command: String,
    positional: Vec<String>,
    port: u16,
    open: bool,
    dest: Option<PathBuf>,
    root: Option<PathBuf>,
    exercise: book_tools::exercise::Options,
}

fn parse(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        command: "serve".to_owned(),
        positional: Vec::new(),
        port: 3000,
        open: false,
        dest: None,
        root: None,
        exercise: book_tools::exercise::Options {
            name: None,
            attempts: None,
            watch: false,
            reset: false,
            force: false,
            seed: None,
        },
    };
    let mut seen_command = false;
    while let Some(arg) = raw.next() {
        let mut value = |name: &str| raw.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                let port = value("--port")?;
                args.port = port.parse().map_err(|_| format!("not a port: {port}"))?;
            }
            "--open" => args.open = true,
            "--dest" => args.dest = Some(value("--dest")?.into()),
            "--root" => args.root = Some(value("--root")?.into()),
            "--watch" => args.exercise.watch = true,
            "--reset" => args.exercise.reset = true,
            "--force" => args.exercise.force = true,
            "--attempts" => args.exercise.attempts = Some(value("--attempts")?.into()),
            "--seed" => {
                let seed = value("--seed")?;
                args.exercise.seed = Some(seed.parse().map_err(|_| format!("not a seed: {seed}"))?);
            }
            "-h" | "--help" | "help" => args.command = "help".to_owned(),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ if !seen_command => {
                args.command = arg;
                seen_command = true;
            }
            _ => args.positional.push(arg),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    // The playground's wrapper (`__contain`, `__init`, `__probe`): book-tools
    // run again by the server for each compile and run. Nothing else may
    // happen first (no thread may exist when it enters namespaces).
    let mut raw = std::env::args().skip(1);
    if let Some(command) = raw.next().filter(|command| command.starts_with("__")) {
        return book_tools::playground::wrapper_main(&command, raw.next().as_deref());
    }
    let mut args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(error) => {
            eprint!("error: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let diagnostics = Diagnostics::install();
    let root = args.root.clone().unwrap_or_else(book_root);

    let serving = args.command == "serve";
    let result = match (args.command.as_str(), args.positional.as_slice()) {
        ("help", _) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        ("serve", []) => server::serve(
            Options {
                root,
                workspace: book_root(),
                port: args.port,
                open: args.open,
            },
            diagnostics.clone(),
        ),
        ("build", []) => build_html(&root, args.dest),
        ("links", []) => book_tools::links::print(&root),
        ("exercise", [] | [_]) => {
            args.exercise.name = args.positional.first().cloned();
            book_tools::exercise::run(&root, &args.exercise)
        }
        ("expand", [dest]) => expand_chapters(&root, &PathBuf::from(dest)).map(|written| {
            eprintln!("Wrote {} chapters to {dest}", written.len());
        }),
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
    // (While serving, each rebuild reports its own.)
    let problems = diagnostics.count();
    if problems > 0 && !serving {
        eprintln!("error: mdBook reported {problems} warning(s) or error(s); see above");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
