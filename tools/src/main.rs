//! `cargo book`: serve the book, build it, write out its expanded chapters,
//! check an exercise or one listing.

mod cli;

use std::process::ExitCode;

use book_tools::server::{self, Options};
use book_tools::{Diagnostics, book_root, build_html, expand_chapters};
use cli::{Cli, Command};

fn main() -> ExitCode {
    // The playground's wrapper (`__contain`, `__init`, `__probe`): book-tools
    // run again by the server for each compile and run. Nothing else may
    // happen first (no thread may exist when it enters namespaces).
    let mut raw = std::env::args().skip(1);
    if let Some(command) = raw.next().filter(|command| command.starts_with("__")) {
        return book_tools::playground::wrapper_main(&command, raw.next().as_deref());
    }
    // A usage error exits with 2, `--help` with 0.
    let cli = Cli::try_parse_args(std::env::args_os()).unwrap_or_else(|error| error.exit());
    let diagnostics = Diagnostics::install();
    let root = cli.root.unwrap_or_else(book_root);

    let command = cli.command.unwrap_or(Command::Serve(cli.serve));
    let serving = matches!(command, Command::Serve(_));
    let result = match command {
        Command::Serve(serve) => server::serve(
            Options {
                root,
                workspace: book_root(),
                port: serve.port,
                open: serve.open,
            },
            diagnostics.clone(),
        ),
        Command::Build { dest } => build_html(&root, dest),
        Command::Links => book_tools::links::print(&root),
        Command::Exercise(exercise) => book_tools::exercise::run(&root, &exercise.into()),
        Command::Expand { dir } => expand_chapters(&root, &dir).map(|written| {
            eprintln!("Wrote {} chapters to {}", written.len(), dir.display());
        }),
        Command::Check { listing } => book_tools::check::run(&root, &listing),
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
