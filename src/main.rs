//! The `nbcost` binary: parse the command line, answer the request, print
//! the report, the notices and any error once, at the edge, and exit with the
//! documented code (see `nbcost::error` and `nbcost::app::Verdict`).

mod cli;

use std::io::{self, Write};
use std::process::ExitCode;

use anstream::ColorChoice;
use anstyle::{AnsiColor, Style as Ansi};

use cli::{Action, Args, Output};
use nbcost::app::{self, Notice};
use nbcost::error::{Error, ErrorKind};
use nbcost::render::{Format, Style};
use nbcost::visible::visible;

fn main() -> ExitCode {
    let args = Args::parse();
    let output = args.output();
    output.color.write_global();
    match run(&args, &output) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            say(&Ansi::new().bold().fg_color(Some(AnsiColor::Red.into())), "error", &err.to_string());
            ExitCode::from(err.kind().exit_code())
        }
    }
}

/// Answers the command line; returns the exit code of the verdict.
fn run(args: &Args, output: &Output) -> Result<u8, Error> {
    let request = match args.action()? {
        Action::Print(bytes) => return write_stdout(|out| out.write_all(&bytes)).map(|_| 0),
        Action::Answer(request) => request,
    };
    let answer = app::run(&request, &args.cards()?, args.today()?)?;
    let style = Style { color: output.format == Format::Table && stdout_color(), width: output.width };
    let written = write_stdout(|out| answer.reply.render(output.format, style, out));
    // A reader that closed the pipe early has all it wants: nothing more is
    // said, but the verdict still decides the exit code, so a failing CI
    // gate (`tally … --fail-above 10 | head`) still fails.
    if matches!(written, Ok(Written::Closed)) {
        return Ok(answer.verdict.exit_code());
    }
    for notice in answer.notices.iter().filter(|_| !output.quiet) {
        match notice {
            Notice::Warning(text) => {
                say(&Ansi::new().bold().fg_color(Some(AnsiColor::Yellow.into())), "warning", text)
            }
            Notice::Note(text) => {
                say(&Ansi::new().bold().fg_color(Some(AnsiColor::Cyan.into())), "note", text)
            }
        }
    }
    written?;
    if let Some(message) = answer.verdict.message() {
        say(&Ansi::new().bold().fg_color(Some(AnsiColor::Red.into())), "error", message);
    }
    Ok(answer.verdict.exit_code())
}

/// Whether stdout takes color: `--color`, `NO_COLOR` and whether it is a terminal.
fn stdout_color() -> bool {
    anstream::AutoStream::choice(&io::stdout()) != ColorChoice::Never
}

/// How far stdout took the output.
enum Written {
    /// All of it.
    All,
    /// The reader closed it early (`nbcost compare | head -3`): not an error,
    /// the reader has all it wants, and nothing more is said.
    Closed,
}

/// Runs `write` against a buffered stdout and flushes it.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<Written, Error> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(Written::All),
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(Written::Closed),
        Err(err) => Err(write_error(err)),
    }
}

fn write_error(err: io::Error) -> Error {
    Error::new(ErrorKind::Failure, format!("cannot write the output: {err}"))
}

/// One labelled line on stderr; anstream drops the color where it does not
/// belong. Messages quote input (a model version, a path, a card's name):
/// its control characters are shown, never sent to the terminal.
fn say(style: &Ansi, label: &str, text: &str) {
    // Formatted first and written at once: written as formatted, each piece
    // of the line was a write of its own.
    let line = format!("{style}{label}:{style:#} {}\n", visible(text));
    // A closed stderr leaves nothing to tell.
    let _ = anstream::stderr().write_all(line.as_bytes());
}
