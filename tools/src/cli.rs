//! `cargo book`'s command line: each subcommand with its own options.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

/// Build, serve and check the book.
#[derive(Debug, Parser)]
#[command(
    name = "cargo book",
    bin_name = "cargo book",
    disable_version_flag = true
)]
pub struct Cli {
    /// The book to use (default: this repository)
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Without a command, `cargo book` serves the book.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The options of `serve`, for `cargo book` alone.
    #[command(flatten)]
    pub serve: Serve,
}

impl Cli {
    /// The command line, or its usage error.
    pub fn try_parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        // `cargo book --port 1 build`: serve's options before another command.
        let serving = ["port", "open"]
            .into_iter()
            .any(|id| matches.value_source(id) == Some(ValueSource::CommandLine));
        if serving && matches.subcommand().is_some() {
            return Err(Cli::command().error(
                ErrorKind::ArgumentConflict,
                "--port and --open are options of `serve`: give them after it",
            ));
        }
        Cli::from_arg_matches(&matches)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the book and serve it with live reload (the default)
    ///
    /// Serves on 127.0.0.1, with a local playground for the Run buttons.
    Serve(Serve),
    /// Build the HTML book into book/
    Build {
        /// Build into DIR instead
        #[arg(long, value_name = "DIR")]
        dest: Option<PathBuf>,
    },
    /// Write each chapter, includes expanded, under DIR
    Expand { dir: PathBuf },
    /// List the chapters' links to other sites
    ///
    /// The tests check only the links inside the book: they have no network.
    Links,
    /// List the exercises, or start or check one
    ///
    /// Without NAME: the exercises and how far you are with each. With NAME:
    /// start it (writes exercises/NAME.rs from the starter) or check your
    /// attempt with the book's own verifiers: native runs, then Miri seeds.
    Exercise(Exercise),
    /// Check one listing again, as the test suite does
    ///
    /// Its build (or its compiler error against its snapshot), its runs, its
    /// Miri seeds where Miri is installed, its chapter's blocks and captions.
    Check {
        /// `chapter/listing` (ch06-mutex/counter-arc), or a listing name
        /// found in one chapter only
        listing: String,
    },
}

#[derive(Debug, Args)]
pub struct Serve {
    /// Port to listen on (0 picks a free one)
    #[arg(long, value_name = "N", default_value_t = 3000)]
    pub port: u16,
    /// Open the book in a browser
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct Exercise {
    /// The exercise to start or check
    pub name: Option<String>,
    /// Check again on every save
    #[arg(long)]
    pub watch: bool,
    /// Check only Miri seed N (as a failure suggests)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Replace your attempt with the starter (asks first)
    #[arg(long)]
    pub reset: bool,
    /// With --reset: do not ask
    #[arg(long, requires = "reset")]
    pub force: bool,
    /// Keep attempts in DIR instead of exercises/
    #[arg(long, value_name = "DIR")]
    pub attempts: Option<PathBuf>,
}

impl From<Exercise> for book_tools::exercise::Options {
    fn from(args: Exercise) -> Self {
        book_tools::exercise::Options {
            name: args.name,
            attempts: args.attempts,
            watch: args.watch,
            reset: args.reset,
            force: args.force,
            seed: args.seed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_args(std::iter::once("cargo book").chain(args.iter().copied()))
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_command_serves_with_its_options() {
        let cli = parse(&["--port", "4000", "--open"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!((cli.serve.port, cli.serve.open), (4000, true));
        assert_eq!(parse(&[]).unwrap().serve.port, 3000);
    }

    #[test]
    fn options_belong_to_their_command() {
        for args in [
            &["build", "--port", "1"][..],
            &["--port", "1", "build"],
            &["links", "--watch"],
            &["exercise", "--force"],
            &["expand"],
            &["check"],
        ] {
            let error = parse(args).expect_err(&format!("{args:?} was accepted"));
            assert_eq!(error.exit_code(), 2, "{args:?}");
        }
    }

    #[test]
    fn root_is_accepted_anywhere() {
        let cli = parse(&["serve", "--port", "0", "--root", "/tmp/b"]).unwrap();
        assert_eq!(cli.root, Some(PathBuf::from("/tmp/b")));
        let cli = parse(&["--root", "/tmp/b", "check", "counter-arc"]).unwrap();
        assert!(
            matches!(cli.command, Some(Command::Check { listing }) if listing == "counter-arc")
        );
    }
}
