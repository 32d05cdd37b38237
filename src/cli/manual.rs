//! `nbcost man`: the manual page. clap_mangen writes the title, name,
//! synopsis, description, options, examples and version; the commands are
//! listed here in the page itself (clap_mangen would point at an
//! `nbcost-quote(1)` page per command, which nothing installs), and the
//! sections clap knows nothing of are added: EXIT STATUS, ENVIRONMENT, FILES.

use std::io::{self, Write};

use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use nbcost::card::EMBEDDED;

/// The exit codes, as the README's "Exit codes" table gives them.
const EXIT_STATUS: [(&str, &str); 9] = [
    (
        "0",
        "Success. A reader that closes stdout early (nbcost compare | head -3) ends the output quietly; the exit code is still the verdict's.",
    ),
    (
        "1",
        "Anything else: an I/O failure or an internal error; and diff --exit-code when the new card changes a price or the plan's total.",
    ),
    ("2", "Usage: a bad flag, an unknown model, a size or lane the model lacks, a bad count."),
    ("3", "The rate card cannot be read or breaks a rule."),
    (
        "4",
        "Input data cannot be priced: a plan file that breaks a rule, a batch file that is missing, unreadable or holds nothing the command reads, a total too large to compute exactly.",
    ),
    (
        "5",
        "Over budget: the total checked by --fail-above is above it (the report is still printed, and says why).",
    ),
    (
        "6",
        "The report was written but its total is incomplete: something in it could not be priced from the card (the report names it and the fix).",
    ),
    (
        "7",
        "estimate: the file holds requests the API would refuse (the report names them). 5 and 6 win over 7.",
    ),
    (
        "8",
        "reconcile: the bill and the responses disagree beyond --tolerance: a SKU drifts, an unmatched SKU costs more than the tolerance, or the totals differ (the report says where). 8 wins over 6.",
    ),
];

/// One of clap_mangen's section writers.
type Section = fn(&Man, &mut dyn Write) -> io::Result<()>;

/// The manual page of `cmd`, in roff.
pub fn render(cmd: clap::Command) -> io::Result<Vec<u8>> {
    // The footer names the program and its version alone; the embedded
    // cards' dates go in the VERSION section, where there is room.
    let man = Man::new(cmd.clone()).source(format!("nbcost {}", env!("CARGO_PKG_VERSION")));
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    let sections: [Section; 4] = [
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
        Man::render_options_section,
    ];
    for section in sections {
        append(&mut page, |out| section(&man, out))?;
    }
    let mut roff = Roff::new();
    commands(&mut roff, &cmd);
    exit_status(&mut roff);
    environment(&mut roff);
    files(&mut roff);
    page.extend_from_slice(roff.to_roff().as_bytes());
    append(&mut page, |out| man.render_extra_section(out))?;
    append(&mut page, |out| man.render_version_section(out))?;
    Ok(page)
}

/// Appends what `write` renders, less the preamble every clap_mangen
/// section repeats (the page has it once, from the title).
fn append(page: &mut Vec<u8>, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut section = Vec::new();
    write(&mut section)?;
    let preamble = Roff::new().render();
    page.extend_from_slice(section.strip_prefix(preamble.as_bytes()).unwrap_or(&section));
    Ok(())
}

/// COMMANDS: each command with what it does, and where its options are.
fn commands(roff: &mut Roff, cmd: &clap::Command) {
    roff.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands() {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        roff.control("TP", []);
        roff.text([bold(format!("nbcost {}", sub.get_name()))]);
        roff.text([roman(format!("{about}. Its options and examples: nbcost {} --help.", sub.get_name()))]);
    }
}

fn exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_STATUS {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(meaning)]);
    }
}

fn environment(roff: &mut Roff) {
    let cards: Vec<&str> = EMBEDDED.iter().map(|card| card.name).collect();
    let variables = [
        (
            "NBCOST_RATES",
            format!(
                "The rate card, as --rates takes it: an embedded card's name ({}) or a card file. --rates wins over it; an empty value is an error.",
                cards.join(", ")
            ),
        ),
        (
            "NBCOST_RATES_DIR",
            "The folder of your own rate cards (every *.toml in it joins the dated history by its effective date). Default: $XDG_CONFIG_HOME/nbcost/rates, else ~/.config/nbcost/rates.".into(),
        ),
        (
            "NBCOST_TODAY",
            "Today's date, YYYY-MM-DD, for reproducible output: it picks the card in force and dates card ages and model lifecycles. --as-of wins over it.".into(),
        ),
        ("NO_COLOR", "When set and not empty, --color auto never colors tables.".into()),
        (
            "COLUMNS",
            "The width --help wraps to, and the width tables fit when stdout is not a terminal (on a terminal, its own width). --wide writes tables whole.".into(),
        ),
    ];
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in variables {
        roff.control("TP", []);
        roff.text([bold(name)]);
        roff.text([roman(meaning)]);
    }
}

fn files(roff: &mut Roff) {
    let files = [
        (
            "rate cards",
            "The dated cards are built into the binary and, with your own, make one dated history: any day is priced from all of them; nbcost rates lists them. --rates NAME|FILE (or NBCOST_RATES) picks one card instead; - reads it from stdin. nbcost rates check FILE validates one.",
        ),
        (
            "plans",
            "A month of image work in TOML, for plan, budget --plan and diff --plan; - reads it from stdin. examples/plan.toml in the source is one.",
        ),
        (
            "batch files",
            "Gemini Batch API input (estimate) and output (tally) files, JSON lines or JSON, plain, gzip (.gz) or Zstandard (.zst); - reads stdin.",
        ),
    ];
    roff.control("SH", ["FILES"]);
    for (what, meaning) in files {
        roff.control("TP", []);
        roff.text([italic(what)]);
        roff.text([roman(meaning)]);
    }
    roff.text([roman("Your own rate cards: every *.toml file in NBCOST_RATES_DIR, else $XDG_CONFIG_HOME/nbcost/rates, else ~/.config/nbcost/rates (nbcost rates --card NAME writes one to copy). nbcost reads no other configuration.")]);
}
