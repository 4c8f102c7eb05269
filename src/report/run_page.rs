//! The single-run report's own sections, from the results folder's
//! `run.json`: "What this run is" (netlist, models and design, simulated
//! time, agents, seed, how the run ended, wall time) and "Reverted actions"
//! (reverts by reason, largest first, each explained by the run's models or,
//! for ERC-20 and Solidity reasons, by [`super::core_reverts`], with the
//! actions and agents they came from).
//!
//! Each section is one `<section>` element without blank lines, so that it
//! can travel in a report intro ([`super::html::markdown_to_html`] keeps such
//! blocks as they are). Every text from run.json is escaped.
//!
//! # Errors
//! None here: the caller reads run.json ([`super::table::read_run_json`]);
//! a key that is missing or of another type leaves its line out.

use super::core_reverts::explain_core_revert;
use super::format::plural;
use super::html::{escape, inline};
use super::table::RunInfo;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Reasons listed in the reverts table; the others are summed in one line.
const TOP_REASONS: usize = 10;
/// Agents named for one action before the rest are counted.
const NAMED_AGENTS: usize = 3;
/// Top-level counts of run.json that the header words itself (the others,
/// such as a model's `pools`, are listed as they are).
const WORDED_COUNTS: &[&str] = &["seed", "ticks", "ticks_planned", "rows", "reverts"];

/// `<section id="run-header">`: what the run of `info` (whose run.json is `json`) is.
pub(crate) fn run_header_html(info: &RunInfo, json: &Value) -> String {
    let mut lines = Vec::new();
    if let Some(netlist) = &info.netlist {
        let description = text_at(json, "/resolved/sim/description").filter(|d| !d.is_empty());
        let about = description.map_or_else(String::new, |d| format!(": {}", escape(d)));
        lines.push(format!("<b>Netlist</b> <code>{}</code>{about}", escape(netlist)));
    }
    lines.push(format!("<b>Models</b> {}", models_text(info)));
    lines.push(format!("<b>Simulated</b> {}", simulated_text(info, json)));
    if let Some(agents) = agents_text(json) {
        lines.push(format!("<b>Agents</b> {agents}"));
    }
    lines.push(format!("<b>Status</b> {}", status_text(info, json)));
    lines.push(format!("<b>Outcome</b> {}", outcome_text(info)));
    if let Some(wall) = json.get("wall_time_s").and_then(Value::as_f64) {
        let rate = json.get("ticks_per_s").and_then(Value::as_f64);
        let rate = rate.map_or_else(String::new, |r| format!(" ({r:.0} ticks/s)"));
        lines.push(format!("<b>Wall time</b> {wall:.2} s{rate}"));
    }
    let mut html = String::from("<ul>\n");
    for line in lines {
        let _ = writeln!(html, "<li>{line}</li>");
    }
    html.push_str("</ul>\n");
    section("run-header", "What this run is", &html)
}

/// `<section id="reverts">`: the run's reverted actions by reason.
pub(crate) fn reverts_html(info: &RunInfo, json: &Value) -> String {
    let mut html = String::new();
    let mut reasons: Vec<(&str, u64)> = json
        .get("reverts_by_reason")
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(reason, n)| Some((reason.as_str(), n.as_u64()?))).collect())
        .unwrap_or_default();
    reasons.retain(|(_, n)| *n > 0);
    // Largest first; equal counts in the reason's order, so the page is stable.
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total: u64 = reasons.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return section("reverts", "Reverted actions", "<p>No action reverted.</p>\n");
    }
    let _ = writeln!(
        html,
        "<p>{total} of the agents' actions reverted, for {}. A revert is an outcome, not a failure of the \
         run: the transaction is rolled back and changes nothing on chain, the engine records the \
         tick, agent, action and reason, and the run goes on. Agents act on prices and balances \
         they do not check first, so a protocol's limits turn some of their actions away; that is \
         normal when the reasons below fit what the agents do.</p>",
        plural(reasons.len(), "reason")
    );
    let sources = sources_by_reason(json);
    let recorded = json.get("first_reverts").and_then(Value::as_array).map_or(0, Vec::len);
    let from = if (recorded as u64) < total {
        format!("from (in the first {recorded} reverts)")
    } else {
        "from".to_owned()
    };
    let _ = writeln!(
        html,
        "<table id=\"reverts-by-reason\">\n<thead><tr><th>reason</th><th>reverts</th><th>what it means</th>\
         <th>{from}</th></tr></thead>\n<tbody>"
    );
    for &(reason, count) in reasons.iter().take(TOP_REASONS) {
        let meaning =
            crate::models::revert_explanation(&info.models, reason).or_else(|| explain_core_revert(reason));
        let meaning = meaning.map_or_else(
            || "<td class=\"na\">no explanation known</td>".to_owned(),
            |m| format!("<td class=\"explained\">{}</td>", inline(m)),
        );
        let source = sources.get(reason).map_or_else(
            || format!("<td class=\"na\">not among the first {recorded} recorded</td>"),
            |s| format!("<td>{}</td>", sources_text(s)),
        );
        let _ = writeln!(
            html,
            "<tr data-reason=\"{r}\"><td><code>{r}</code></td><td>{count}</td>{meaning}{source}</tr>",
            r = escape(reason)
        );
    }
    html.push_str("</tbody>\n</table>\n");
    let rest = &reasons[reasons.len().min(TOP_REASONS)..];
    if !rest.is_empty() {
        let _ = writeln!(
            html,
            "<p>and {} ({}): see <code>reverts_by_reason</code> in run.json.</p>",
            plural(rest.len(), "more reason"),
            plural(rest.iter().map(|(_, n)| n).sum::<u64>() as usize, "revert")
        );
    }
    section("reverts", "Reverted actions", &html)
}

/// `<section id="{id}">` with its heading and `body`, without blank lines
/// (text from run.json may hold some; in HTML they are plain whitespace).
fn section(id: &str, title: &str, body: &str) -> String {
    let mut html = format!("<section id=\"{id}\">\n<h2>{title}</h2>\n{}</section>", body.trim_start());
    while html.contains("\n\n") {
        html = html.replace("\n\n", "\n");
    }
    html
}

fn text_at<'a>(json: &'a Value, pointer: &str) -> Option<&'a str> {
    json.pointer(pointer).and_then(Value::as_str)
}

fn models_text(info: &RunInfo) -> String {
    if info.models.is_empty() {
        return "none (the core's agents and contracts only)".to_owned();
    }
    let names: Vec<String> = info.models.iter().map(|m| escape(m)).collect();
    let design =
        info.design.as_deref().map_or_else(String::new, |d| format!(", design <code>{}</code>", escape(d)));
    let build = match &info.build {
        Some(build) => format!("the build <code>{}</code>", escape(build)),
        None => "the project's own contracts".to_owned(),
    };
    format!("{}{design}, on {build}", names.join(", "))
}

fn simulated_text(info: &RunInfo, json: &Value) -> String {
    let ticks = info.counts.get("ticks").copied();
    let planned = info.counts.get("ticks_planned").copied();
    let tick = text_at(json, "/resolved/sim/tick")
        .map_or_else(String::new, |t| format!(" of <code>{}</code>", escape(t)));
    let ticks_text = match (ticks, planned) {
        (Some(ran), Some(planned)) if ran < planned => format!("{ran} of {planned} planned ticks{tick}"),
        (Some(n), _) | (None, Some(n)) => format!("{}{tick}", plural(n as usize, "tick")),
        (None, None) => "ticks unknown".to_owned(),
    };
    let seed = info.seed.map_or_else(String::new, |s| format!(", seed {s}"));
    match text_at(json, "/resolved/sim/duration") {
        Some(duration) => format!("<code>{}</code> in {ticks_text}{seed}", escape(duration)),
        None => format!("{ticks_text}{seed}"),
    }
}

/// `37: 20 consumer, 5 publisher, ...` from run.json's `agents` (count by type).
fn agents_text(json: &Value) -> Option<String> {
    let by_type = json.get("agents")?.as_object()?;
    let mut counts: Vec<(&str, u64)> =
        by_type.iter().filter_map(|(kind, n)| Some((kind.as_str(), n.as_u64()?))).collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let list: Vec<String> =
        counts.iter().map(|(kind, n)| format!("{n} <code>{}</code>", escape(kind))).collect();
    Some(if list.is_empty() { "none".to_owned() } else { format!("{total}: {}", list.join(", ")) })
}

fn status_text(info: &RunInfo, json: &Value) -> String {
    let ticks = info.counts.get("ticks").copied().unwrap_or(0);
    match text_at(json, "/status").unwrap_or("unknown") {
        "finished" => "finished: every planned tick ran".to_owned(),
        "interrupted" => {
            format!("interrupted after {}: the rows up to it are kept", plural(ticks as usize, "tick"))
        }
        "stopped" => {
            let violation = json.pointer("/violations/0");
            let name = violation.and_then(|v| v.get("invariant")).and_then(Value::as_str);
            let at = violation.and_then(|v| v.get("tick")).and_then(Value::as_u64);
            let message = text_at(json, "/stopped").unwrap_or("");
            format!(
                "<b class=\"fail\">stopped</b> by invariant <code>{}</code> at tick {}: {}",
                escape(name.unwrap_or("?")),
                at.map_or_else(|| "?".to_owned(), |t| t.to_string()),
                escape(message)
            )
        }
        other => escape(other),
    }
}

/// `8760 KPI rows, 30 pools, 2162 reverted actions`: run.json's counts.
fn outcome_text(info: &RunInfo) -> String {
    let mut parts = Vec::new();
    if let Some(rows) = info.counts.get("rows") {
        parts.push(plural(*rows as usize, "KPI row"));
    }
    for (name, n) in info.counts.iter().filter(|(name, _)| !WORDED_COUNTS.contains(&name.as_str())) {
        parts.push(plural(*n as usize, name.strip_suffix('s').unwrap_or(name)));
    }
    if let Some(reverts) = info.counts.get("reverts") {
        parts.push(plural(*reverts as usize, "reverted action"));
    }
    escape(&parts.join(", "))
}

/// One action's share of a reason's recorded reverts.
#[derive(Debug, Default)]
struct ActionSource<'a> {
    count: u64,
    agents: BTreeSet<&'a str>,
}

/// run.json's `first_reverts` grouped by reason, then by action.
fn sources_by_reason(json: &Value) -> BTreeMap<&str, BTreeMap<&str, ActionSource<'_>>> {
    let mut by_reason: BTreeMap<&str, BTreeMap<&str, ActionSource<'_>>> = BTreeMap::new();
    for revert in json.get("first_reverts").and_then(Value::as_array).into_iter().flatten() {
        let field = |key: &str| revert.get(key).and_then(Value::as_str);
        let (Some(reason), Some(action), Some(agent)) = (field("reason"), field("action"), field("agent"))
        else {
            continue;
        };
        let source = by_reason.entry(reason).or_default().entry(action).or_default();
        source.count += 1;
        source.agents.insert(agent);
    }
    by_reason
}

/// `<code>buy 1 DT</code> ×918 by 20 agents (consumer0, consumer1, consumer10, …)`, one per line.
fn sources_text(sources: &BTreeMap<&str, ActionSource<'_>>) -> String {
    let mut sorted: Vec<(&&str, &ActionSource<'_>)> = sources.iter().collect();
    sorted.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    let lines: Vec<String> = sorted
        .into_iter()
        .map(|(action, source)| {
            let mut names: Vec<String> = source.agents.iter().take(NAMED_AGENTS).map(|a| escape(a)).collect();
            if source.agents.len() > NAMED_AGENTS {
                names.push("…".to_owned());
            }
            let agents = match source.agents.len() {
                1 => names.join(""),
                n => format!("{} ({})", plural(n, "agent"), names.join(", ")),
            };
            format!("<code>{}</code> ×{} by {agents}", escape(action), source.count)
        })
        .collect();
    lines.join("<br>")
}
