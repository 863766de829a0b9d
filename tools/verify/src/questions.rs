//! "Which of these can this program print?": questions whose key comes from the explored outcomes.
//!
//! A chapter's author writes the question, in `listings/<chapter>/questions.toml`:
//! the listing, and the outputs the reader may tick. The key is never
//! written by hand. It is what the listing was seen to print:
//!
//! - every outcome of the schedule layer's search under shuttle
//!   ([`crate::schedules`]), each with how many schedules printed it;
//! - every run under Miri on the seeds the Miri layer runs it on
//!   ([`crate::miri`]);
//! - the real run its output file shows.
//!
//! A choice is "can print" when one of those printed it. It is "cannot
//! print" only where shuttle's search ran every schedule there is (its
//! verdict is "all N schedules" or "its only schedule"); a choice that
//! nothing printed, on a listing searched on a sample or not searched at
//! all, is an error, not an impossibility.
//!
//! # When a choice matches an output
//!
//! A choice is a list of lines, each an exact line or a pattern with `[..]`
//! (any text within the line). Where it stands in the output is its `at`:
//!
//! - `anywhere` (the default): the lines appear in the output, in this
//!   order, one directly after the other;
//! - `start` / `end`: the output begins / ends with these lines;
//! - `whole`: the output is exactly these lines.
//!
//! An output's unfinished last line (a process that ended while a thread
//! was printing it) is a line of its own, as printed.
//!
//! The page shows each choice in a generated file,
//! `listings/<chapter>/questions/<listing>.html`, that the chapter includes
//! right before the listing's output. `SNAPSHOTS=overwrite cargo test --test
//! questions` writes them; `cargo test` fails where one is stale.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalog::Listing;
use crate::claims::{self, Failure};
use crate::html::escape;
use crate::miri::MiriRun;
use crate::schedules::{Ending, Report, Verdict, thousands};

/// Each chapter's questions: `listings/<chapter>/questions.toml`.
pub const QUESTIONS_FILE: &str = "questions.toml";

/// The command that writes the generated files again.
pub const COMMAND: &str = "SNAPSHOTS=overwrite cargo test --test questions";

/// The question every block asks.
pub const ASK: &str = "Which of these can this program print?";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionsFile {
    #[serde(default, rename = "question")]
    questions: Vec<Question>,
}

/// One question: a listing and the outputs a reader may tick.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The listing's name in its chapter's crate (`join-handle`).
    pub listing: String,
    #[serde(rename = "choice")]
    pub choices: Vec<Choice>,
}

/// An output to tick, written by the author (not whether it can be printed).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub lines: Vec<String>,
    #[serde(default)]
    pub at: At,
}

/// Where a choice's lines must stand in an output (see the module's text).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum At {
    #[default]
    Anywhere,
    Start,
    End,
    Whole,
}

/// The questions of one listing crate (none where it has no file).
pub fn load(crate_dir: &Path) -> Result<Vec<Question>, String> {
    let path = crate_dir.join(QUESTIONS_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let file: QuestionsFile =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    for question in &file.questions {
        let at = format!("{}: question on {}", path.display(), question.listing);
        if question.choices.len() < 2 {
            return Err(format!("{at}: give at least two choices"));
        }
        for choice in &question.choices {
            if choice.lines.is_empty() || choice.lines.iter().any(|line| line.contains('\n')) {
                return Err(format!(
                    "{at}: each choice needs lines = [\"…\"], one line each"
                ));
            }
        }
    }
    Ok(file.questions)
}

/// The generated block of a listing's question.
pub fn generated_file(listing: &Listing) -> PathBuf {
    listing
        .crate_dir()
        .join("questions")
        .join(format!("{}.html", listing.name))
}

/// The `{{#include}}` line a chapter shows the question with.
pub fn include_line(listing: &Listing) -> String {
    format!(
        "{{{{#include ../listings/{}/questions/{}.html}}}}",
        listing.chapter, listing.name
    )
}

/// Whether `line` matches the choice's `pattern` (`[..]`: any text).
fn line_matches(line: &str, pattern: &str) -> bool {
    if pattern.contains("[..]") {
        claims::line_matches(line, pattern)
    } else {
        line == pattern
    }
}

/// Whether `output` prints `choice` (see the module's text).
pub fn matches(choice: &Choice, output: &str) -> bool {
    let lines: Vec<&str> = output.lines().collect();
    let wanted = &choice.lines;
    let same = |at: usize| {
        wanted
            .iter()
            .enumerate()
            .all(|(i, pattern)| line_matches(lines[at + i], pattern))
    };
    if lines.len() < wanted.len() {
        return false;
    }
    let last = lines.len() - wanted.len();
    match choice.at {
        At::Whole => lines.len() == wanted.len() && same(0),
        At::Start => same(0),
        At::End => same(last),
        At::Anywhere => (0..=last).any(same),
    }
}

/// Everything a listing was seen to print.
pub struct Evidence<'a> {
    /// The search under shuttle, or why shuttle does not run the listing.
    pub search: Result<&'a Report, String>,
    /// The runs under Miri and their seeds, or why there are none.
    pub miri: Result<(Range<u64>, &'a [MiriRun]), String>,
    /// What the output file's real run printed (without its `$` line).
    pub native: String,
}

impl Evidence<'_> {
    /// The outcomes of a search that ran every schedule, with its count.
    fn every(&self) -> Option<(&Report, u64)> {
        match self.search {
            Ok(report) => match report.verdict() {
                Verdict::Every(count) => Some((report, count)),
                _ => None,
            },
            Err(_) => None,
        }
    }

    /// Where the key comes from, in words.
    fn sources(&self) -> String {
        let mut parts = Vec::new();
        match &self.search {
            Ok(report) => match report.verdict() {
                Verdict::Every(1) => parts.push("under shuttle, on its only schedule".to_owned()),
                verdict => parts.push(format!("under shuttle, on {verdict}")),
            },
            Err(why) => parts.push(format!("not under shuttle ({why})")),
        }
        if let Ok((seeds, _)) = &self.miri {
            parts.push(format!("under Miri, on seeds {}", seed_range(seeds)));
        }
        parts.push("and in the real run shown below".to_owned());
        format!(
            "The answers come from what this program printed: {}.",
            parts.join("; ")
        )
    }
}

/// The output file's real run: its text without the `$ cargo run` line.
pub fn native_output(listing: &Listing) -> Result<String, String> {
    let path = listing.output_file();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(match text.strip_prefix("$ ") {
        Some(rest) => rest.split_once('\n').map_or("", |(_, out)| out).to_owned(),
        None => text,
    })
}

/// The key of one choice, and why, as HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub can: bool,
    pub why: String,
}

/// The key of each choice of `question`, from what `listing` was seen to
/// print; an error where a choice that nothing printed would be called
/// impossible on a search that did not run every schedule.
pub fn answer(
    listing: &Listing,
    question: &Question,
    evidence: &Evidence,
) -> Result<Vec<Answer>, Failure> {
    let fail = |claim: String, detail: String| Failure {
        listing: listing.to_string(),
        claim,
        detail,
    };
    let mut answers = Vec::new();
    for choice in &question.choices {
        let shown = shown_choice(choice).replace('\n', " / ");
        let by_shuttle: Vec<&crate::schedules::Outcome> = match evidence.search {
            Ok(report) => report
                .outcomes
                .iter()
                .filter(|outcome| matches(choice, &outcome.output))
                .collect(),
            Err(_) => Vec::new(),
        };
        let by_miri: Vec<u64> = match &evidence.miri {
            Ok((_, runs)) => runs
                .iter()
                .filter(|run| matches(choice, &run.output))
                .map(|run| run.seed)
                .collect(),
            Err(_) => Vec::new(),
        };
        let by_native = matches(choice, &evidence.native);
        for pattern in &listing.cannot_print {
            let claimed = choice.lines.iter().any(|line| line_matches(line, pattern));
            if claimed && (!by_shuttle.is_empty() || !by_miri.is_empty() || by_native) {
                return Err(fail(
                    format!("cannot print {pattern:?} (its listings.toml)"),
                    format!("the choice {shown:?} of its question was printed"),
                ));
            }
        }
        if !by_shuttle.is_empty() || !by_miri.is_empty() || by_native {
            answers.push(Answer {
                can: true,
                why: why_can(evidence, &by_shuttle, &by_miri, by_native),
            });
            continue;
        }
        let Some((report, count)) = evidence.every() else {
            let searched = match &evidence.search {
                Ok(report) => format!("shuttle ran it on {} only", report.verdict()),
                Err(why) => format!("shuttle does not run it ({why})"),
            };
            return Err(fail(
                format!("its question's choice {shown:?} is answered by what it printed"),
                format!(
                    "nothing printed it, and that shows it impossible only where shuttle ran \
                     every schedule: {searched}. Drop the choice from {}, or choose one that \
                     some run prints",
                    listing.crate_dir().join(QUESTIONS_FILE).display()
                ),
            ));
        };
        answers.push(Answer {
            can: false,
            why: why_cannot(listing, choice, evidence, report, count),
        });
    }
    Ok(answers)
}

fn why_can(
    evidence: &Evidence,
    by_shuttle: &[&crate::schedules::Outcome],
    by_miri: &[u64],
    by_native: bool,
) -> String {
    let mut text = String::from("It can print this. ");
    if let Ok(report) = evidence.search {
        let total: u64 = report.outcomes.iter().map(|o| o.count).sum();
        let printed: u64 = by_shuttle.iter().map(|o| o.count).sum();
        if let Some(first) = by_shuttle.first() {
            let first = escape(&first.schedule.split_whitespace().collect::<String>());
            match report.verdict() {
                Verdict::Every(1) => text.push_str("Its only schedule prints it. "),
                Verdict::Every(_) if printed == total => {
                    let _ = write!(
                        text,
                        "All {} schedules print it (shuttle replays one as \
                         <code>{first}</code>). ",
                        thousands(total)
                    );
                }
                Verdict::Every(_) => {
                    let _ = write!(
                        text,
                        "{} of all {} schedules print it (shuttle replays one as \
                         <code>{first}</code>). ",
                        thousands(printed),
                        thousands(total)
                    );
                }
                _ => {
                    let _ = write!(
                        text,
                        "{} of the {} schedules shuttle ran print it (shuttle replays one as \
                         <code>{first}</code>). ",
                        thousands(printed),
                        thousands(total)
                    );
                }
            }
        } else {
            let model = match report.verdict() {
                Verdict::Every(_) => " (its model of the threads misses this order)",
                _ => "",
            };
            let _ = write!(
                text,
                "None of the {} schedules shuttle ran prints it{model}, but other runs did. ",
                thousands(total)
            );
        }
    }
    if !by_miri.is_empty() {
        let seeds: Vec<String> = by_miri.iter().map(u64::to_string).collect();
        let (word, verb) = if seeds.len() == 1 {
            ("seed", "prints")
        } else {
            ("seeds", "print")
        };
        let _ = write!(
            text,
            "Under Miri, {word} {} {verb} it. ",
            join_words(&seeds, "and")
        );
    }
    if by_native {
        text.push_str("The run shown below printed it. ");
    }
    text.trim_end().to_owned()
}

fn why_cannot(
    listing: &Listing,
    choice: &Choice,
    evidence: &Evidence,
    report: &Report,
    count: u64,
) -> String {
    let mut text = String::from("It cannot print this. ");
    if count == 1 {
        text.push_str("Its only schedule does not print it");
    } else {
        let _ = write!(text, "None of all {} schedules prints it", thousands(count));
    }
    if let Ok((seeds, _)) = &evidence.miri {
        let _ = write!(text, ", nor does Miri on seeds {}", seed_range(seeds));
    }
    // The distinct outputs, with how each ends where it does not exit.
    let mut outputs: BTreeMap<&str, (&Ending, u64)> = BTreeMap::new();
    for outcome in &report.outcomes {
        outputs
            .entry(&outcome.output)
            .or_insert((&outcome.ending, 0))
            .1 += outcome.count;
    }
    if outputs.len() <= 3 {
        text.push_str(if count == 1 {
            "; it prints only"
        } else {
            "; they print only"
        });
        for (index, (output, (ending, schedules))) in outputs.iter().enumerate() {
            if index > 0 {
                text.push(',');
            }
            let then = match ending {
                Ending::Exited => "",
                Ending::Panicked => " (then main panics)",
                Ending::Deadlocked(_) => " (then it deadlocks)",
                Ending::Failed(_) => " (then shuttle stops it)",
            };
            let on = if outputs.len() == 1 {
                String::new()
            } else {
                format!(" ({} schedules)", thousands(*schedules))
            };
            let _ = write!(
                text,
                " <code class=\"question-output\">{}</code>{on}{then}",
                escape(output.trim_end_matches('\n')).replace('\n', "&#10;")
            );
        }
        text.push_str(". ");
    } else {
        let _ = write!(
            text,
            "; they print {} different outputs. ",
            thousands(outputs.len() as u64)
        );
    }
    text.push_str(&reason(choice, report));
    if listing
        .cannot_print
        .iter()
        .any(|pattern| choice.lines.iter().any(|line| line_matches(line, pattern)))
    {
        text.push_str(" Its listings.toml claims so too (cannot_print).");
    }
    text
}

/// Why no output prints `choice`, read from the outcomes.
fn reason(choice: &Choice, report: &Report) -> String {
    let outputs: Vec<Vec<&str>> = report
        .outcomes
        .iter()
        .map(|outcome| outcome.output.lines().collect())
        .collect();
    let has = |lines: &[&str], pattern: &str| lines.iter().any(|l| line_matches(l, pattern));
    for pattern in &choice.lines {
        if outputs.iter().all(|lines| !has(lines, pattern)) {
            let mut text = format!(
                "No schedule prints the line <code>{}</code>",
                escape(pattern)
            );
            let deadlocks: Vec<&str> = report
                .outcomes
                .iter()
                .filter_map(|outcome| match &outcome.ending {
                    Ending::Deadlocked(why) => Some(why.as_str()),
                    _ => None,
                })
                .collect();
            if deadlocks.len() == report.outcomes.len()
                && let Some(why) = deadlocks.first()
            {
                let _ = write!(
                    text,
                    ": each one deadlocks before it ({})",
                    escape(&deadlock_summary(why))
                );
            }
            text.push('.');
            return text;
        }
    }
    let code = |line: &str| format!("<code>{}</code>", escape(line));
    let edge = |first: bool, words: &str, wanted: &str| {
        let mut seen: Vec<&str> = outputs
            .iter()
            .filter_map(|l| if first { l.first() } else { l.last() }.copied())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        let found = seen.iter().any(|line| line_matches(line, wanted));
        (!found && seen.len() <= 4).then(|| {
            let lines: Vec<String> = seen.iter().map(|line| code(line)).collect();
            format!(
                "Every schedule's output {words} {}.",
                join_words(&lines, "or")
            )
        })
    };
    let first = choice.lines.first().map_or("", String::as_str);
    let last = choice.lines.last().map_or("", String::as_str);
    if matches!(choice.at, At::Start | At::Whole)
        && let Some(text) = edge(true, "starts with", first)
    {
        return text;
    }
    if matches!(choice.at, At::End | At::Whole)
        && let Some(text) = edge(false, "ends with", last)
    {
        return text;
    }
    for pair in choice.lines.windows(2) {
        let (a, b) = (pair[0].as_str(), pair[1].as_str());
        let both: Vec<&Vec<&str>> = outputs
            .iter()
            .filter(|lines| has(lines, a) && has(lines, b))
            .collect();
        let position = |lines: &Vec<&str>, pattern: &str| {
            lines
                .iter()
                .enumerate()
                .filter(|(_, l)| line_matches(l, pattern))
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        let b_first = both
            .iter()
            .all(|lines| position(lines, b).last() < position(lines, a).first());
        if !both.is_empty() && b_first {
            return format!("{} always comes before {}.", code(b), code(a));
        }
        let adjacent = both.iter().any(|lines| {
            lines
                .windows(2)
                .any(|w| line_matches(w[0], a) && line_matches(w[1], b))
        });
        if !adjacent {
            return format!("{} is never directly followed by {}.", code(a), code(b));
        }
    }
    if choice.at == At::Whole
        && outputs.iter().any(|lines| {
            lines.len() > choice.lines.len()
                && matches(
                    &Choice {
                        lines: choice.lines.clone(),
                        at: At::Start,
                    },
                    &lines.join("\n"),
                )
        })
    {
        return "Every schedule that prints these lines prints more after them.".to_owned();
    }
    "No output has these lines together in this way.".to_owned()
}

/// The heart of shuttle's report of a deadlock: the cycle, where it names
/// one, or who waits for what.
fn deadlock_summary(report: &str) -> String {
    let lines: Vec<&str> = report
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    match lines.iter().find(|line| line.starts_with("so they wait")) {
        Some(cycle) => cycle.trim_start_matches("so ").to_owned(),
        None if lines.is_empty() => report.trim().to_owned(),
        None => lines.join("; "),
    }
}

/// `0..4` as "0 to 3".
fn seed_range(seeds: &Range<u64>) -> String {
    match seeds.end.saturating_sub(seeds.start) {
        0 => "(none)".to_owned(),
        1 => seeds.start.to_string(),
        _ => format!("{} to {}", seeds.start, seeds.end - 1),
    }
}

/// "a, b and c".
fn join_words(words: &[String], and: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

/// A choice as the reader sees it: its lines, with `…` where other lines
/// may come before or after.
pub fn shown_choice(choice: &Choice) -> String {
    let mut lines: Vec<&str> = Vec::new();
    if matches!(choice.at, At::Anywhere | At::End) {
        lines.push("…");
    }
    lines.extend(choice.lines.iter().map(String::as_str));
    if matches!(choice.at, At::Anywhere | At::Start) {
        lines.push("…");
    }
    lines.join("\n")
}

/// The block a chapter includes: a form with a checkbox per choice, its
/// key and explanation, read by theme/questions.js. One element per line
/// and no blank line, so that Markdown keeps it one HTML block.
pub fn render(
    listing: &Listing,
    question: &Question,
    answers: &[Answer],
    evidence: &Evidence,
) -> String {
    let short = listing
        .chapter
        .split('-')
        .next()
        .unwrap_or(&listing.chapter);
    let id = format!("q-{short}-{}", listing.name);
    let mut html = format!(
        "<!-- Generated from {}/{QUESTIONS_FILE} and what the listing was seen to print: \
         {COMMAND} -->\n",
        listing.chapter
    );
    let _ = writeln!(
        html,
        "<form class=\"question\" id=\"{id}\" data-listing=\"{}/{}\">",
        escape(&listing.chapter),
        escape(&listing.name)
    );
    html.push_str("<fieldset>\n");
    let _ = writeln!(
        html,
        "<legend>{ASK} <span class=\"question-hint\">Tick each output it can print (… stands \
         for other lines, or none), then press Check.</span></legend>"
    );
    for (index, (choice, answer)) in question.choices.iter().zip(answers).enumerate() {
        let choice_id = format!("{id}-{}", index + 1);
        let key = if answer.can { "can" } else { "cannot" };
        let _ = writeln!(
            html,
            "<div class=\"question-choice\" data-key=\"{key}\">\
             <input type=\"checkbox\" id=\"{choice_id}\" \
             aria-describedby=\"{choice_id}-feedback\">\
             <label for=\"{choice_id}\"><code class=\"question-lines\">{}</code></label>\
             <p class=\"question-feedback\" id=\"{choice_id}-feedback\" hidden>{}</p></div>",
            escape(&shown_choice(choice)).replace('\n', "&#10;"),
            answer.why
        );
    }
    html.push_str("</fieldset>\n");
    html.push_str("<button type=\"button\" class=\"question-check\">Check</button>\n");
    html.push_str("<p class=\"question-result\" role=\"status\"></p>\n");
    let _ = writeln!(
        html,
        "<p class=\"question-source\" hidden>{}</p>",
        escape(&evidence.sources())
    );
    html.push_str("</form>\n");
    html
}

/// The keys a generated block gives, in order (`data-key`).
pub fn keys(html: &str) -> Vec<bool> {
    html.match_indices("data-key=\"")
        .map(|(at, found)| html[at + found.len()..].starts_with("can\""))
        .collect()
}

/// The committed block against the one generated now: the key first (a
/// choice ticked wrongly by the page is the worse error), then the text.
pub fn compare(
    listing: &Listing,
    question: &Question,
    generated: &str,
    committed: Option<&str>,
) -> Result<(), Failure> {
    let file = generated_file(listing);
    let shown = file
        .strip_prefix(crate::repo_root())
        .unwrap_or(&file)
        .display()
        .to_string();
    let fail = |claim: String, detail: String| Failure {
        listing: listing.to_string(),
        claim,
        detail: format!("{detail}\n(write it again: {COMMAND})"),
    };
    let Some(committed) = committed else {
        return Err(fail(
            format!("{shown} holds its question"),
            "the file does not exist".to_owned(),
        ));
    };
    let (now, then) = (keys(generated), keys(committed));
    if now != then {
        let word = |can: Option<&bool>| match can {
            Some(true) => "can print",
            Some(false) => "cannot print",
            None => "(no such choice)",
        };
        let mut detail = String::new();
        for index in 0..now.len().max(then.len()) {
            if now.get(index) != then.get(index) {
                let choice = question
                    .choices
                    .get(index)
                    .map_or_else(|| "?".to_owned(), |c| shown_choice(c).replace('\n', " / "));
                let _ = writeln!(
                    detail,
                    "choice {} ({choice}): the page's key says it {}, what the listing was seen \
                     to print says it {}",
                    index + 1,
                    word(then.get(index)),
                    word(now.get(index))
                );
            }
        }
        return Err(fail(
            format!("{shown} keys its question by what the listing was seen to print"),
            detail.trim_end().to_owned(),
        ));
    }
    if generated != committed {
        let line = generated
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| generated.lines().count().min(committed.lines().count()));
        return Err(fail(
            format!("{shown} is its question as generated now"),
            format!(
                "it is stale: line {} differs (the question, the listing or its runs changed)\n\
                 now:  {}\nfile: {}",
                line + 1,
                generated.lines().nth(line).unwrap_or("(nothing)"),
                committed.lines().nth(line).unwrap_or("(nothing)")
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(lines: &[&str], at: At) -> Choice {
        Choice {
            lines: lines.iter().map(|l| (*l).to_owned()).collect(),
            at,
        }
    }

    #[test]
    fn a_choice_matches_where_its_lines_stand() {
        let output = "a\nb\nc\n";
        assert!(matches(&choice(&["b", "c"], At::Anywhere), output));
        assert!(!matches(&choice(&["a", "c"], At::Anywhere), output));
        assert!(matches(&choice(&["a"], At::Start), output));
        assert!(!matches(&choice(&["b"], At::Start), output));
        assert!(matches(&choice(&["c"], At::End), output));
        assert!(!matches(&choice(&["b"], At::End), output));
        assert!(matches(&choice(&["a", "b", "c"], At::Whole), output));
        assert!(!matches(&choice(&["a", "b"], At::Whole), output));
        assert!(matches(
            &choice(&["total = [..]"], At::Anywhere),
            "total = 7\n"
        ));
        // An unfinished last line is a line as printed.
        assert!(!matches(&choice(&["a", "b"], At::Whole), "a\nb\nspawn"));
    }

    #[test]
    fn a_choice_is_shown_with_the_lines_around_it() {
        assert_eq!(shown_choice(&choice(&["x"], At::Anywhere)), "…\nx\n…");
        assert_eq!(shown_choice(&choice(&["x"], At::Start)), "x\n…");
        assert_eq!(shown_choice(&choice(&["x"], At::End)), "…\nx");
        assert_eq!(shown_choice(&choice(&["x"], At::Whole)), "x");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
