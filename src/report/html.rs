//! `report.html`: one self-contained page (inline CSS and script, charts as
//! base64 `data:image/png` URIs) with the criteria table and the charts.
//!
//! After load, the page's script sets `data-images-ok="true"` on `<body>`
//! iff every `<img>` decoded (naturalWidth > 0), and `data-images-loaded` to
//! the number that did; the browser test reads both.

use super::format::{diff_text, plural, run_text, seed_list, title_with_unit};
use super::table::CriteriaTable;
use super::{ReportError, Result};
use crate::models::criteria::Verdict;
use crate::plot::ChartFile;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em auto;max-width:1200px;\
padding:0 1em;color:#222}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.35em .6em;\
text-align:left;vertical-align:top}th{background:#eee}td.pass{background:#e3f6e3}\
td.fail{background:#fbe0e0;font-weight:bold}td.inconclusive{background:#fdf3d0}td.na{color:#888}code{background:#f3f3f3;padding:0 .2em}\
figure{margin:1em 0}img.chart{max-width:100%;border:1px solid #ddd}figcaption{color:#555;font-size:.9em}figcaption .file{color:#999}";

const SCRIPT: &str = "window.addEventListener('load',function(){\
var imgs=Array.prototype.slice.call(document.images);\
var loaded=imgs.filter(function(i){return i.complete&&i.naturalWidth>0;}).length;\
document.body.dataset.imagesOk=loaded===imgs.length?'true':'false';\
document.body.dataset.imagesLoaded=String(loaded);});";

/// Write `out_dir/report.html` (creating `out_dir`): `title`, the Markdown
/// `markdown_intro` (paragraphs, `- ` lists, `#` headings, `code`,
/// `**bold**`), the criteria table (`<table id="criteria">`, one
/// `<th class="design">` per design), paired differences in Monte Carlo mode
/// (`<table id="paired">`), and the PNG of every chart embedded as
/// `<img class="chart">`, captioned with its title and file name.
/// Returns the path written.
pub fn write_report(
    out_dir: &Path,
    title: &str,
    markdown_intro: &str,
    table: &CriteriaTable,
    charts: &[ChartFile],
) -> Result<PathBuf> {
    let mut html = String::with_capacity(64 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = escape(title)
    );
    html.push_str(&markdown_to_html(markdown_intro));
    push_table(&mut html, table);
    html.push_str("<h2>Charts</h2>\n");
    if charts.is_empty() {
        html.push_str("<p>No charts.</p>\n");
    }
    for chart in charts {
        let bytes = std::fs::read(&chart.png).map_err(|source| ReportError::Io {
            file: chart.png.clone(),
            action: "read",
            source,
        })?;
        let file = chart.png.file_name().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let _ = writeln!(
            html,
            "<figure><img class=\"chart\" alt=\"Chart: {t}\" src=\"data:image/png;base64,{b}\">\
             <figcaption>{t} <span class=\"file\">({f}, SVG beside it)</span></figcaption></figure>",
            t = escape(&chart.title),
            f = escape(&file),
            b = base64_encode(&bytes)
        );
    }
    let _ = write!(html, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    std::fs::create_dir_all(out_dir).map_err(|source| ReportError::Io {
        file: out_dir.to_owned(),
        action: "create",
        source,
    })?;
    let path = out_dir.join("report.html");
    std::fs::write(&path, html).map_err(|source| ReportError::Io {
        file: path.clone(),
        action: "write",
        source,
    })?;
    Ok(path)
}

/// The report of one `tsp run`: what the run is, its reverted actions
/// explained ([`super::run_page`]), its results directory scored against the
/// criteria, and its charts; writes `results_dir/report.html`.
pub fn write_run_report(results_dir: &Path, label: &str, charts: &[ChartFile]) -> Result<PathBuf> {
    let json = super::table::read_run_json(results_dir)?;
    let info = super::RunInfo::from_json(results_dir, &json);
    let set = crate::models::criteria_for(&info.models);
    let mut table = CriteriaTable::from_runs(set, &[(label.to_owned(), results_dir.to_owned())])?;
    // The page lives in the run's folder, which `tsp run` moves into place
    // after writing it: the runs list names no folder.
    for run in &mut table.runs {
        run.dir = PathBuf::new();
    }
    let intro = format!(
        "{}\n\nRun `{label}`, scored against the design criteria.\n\n{}",
        super::run_page::run_header_html(&info, &json),
        super::run_page::reverts_html(&info, &json)
    );
    write_report(results_dir, &format!("tokenspice: {label}"), &intro, &table, charts)
}

fn push_table(html: &mut String, table: &CriteriaTable) {
    html.push_str("<h2>Criteria</h2>\n");
    if table.is_monte_carlo() {
        let _ = writeln!(
            html,
            "<p>Monte Carlo over {} ({}), the same seeds for every design: mean ± half width of the \
             95% confidence interval (Student's t); pass when the whole interval meets the threshold, \
             FAIL when none of it does, inconclusive when it straddles it.</p>",
            plural(table.seeds.len(), "seed"),
            escape(&seed_list(&table.seeds))
        );
    }
    html.push_str("<table id=\"criteria\">\n<thead><tr><th>criterion</th><th>threshold</th>");
    for design in &table.designs {
        let _ = write!(html, "<th class=\"design\">{}</th>", escape(design));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        let c = row.criterion;
        let _ = write!(
            html,
            "<tr data-criterion=\"{}\"><td title=\"{}\">{}</td><td>{}</td>",
            escape(c.id),
            escape(c.explanation),
            escape(&title_with_unit(c)),
            escape(&c.rule.threshold_text())
        );
        for cell in &row.cells {
            let class = match cell.verdict {
                Some(Verdict::Pass) => "pass",
                Some(Verdict::Fail) => "fail",
                Some(Verdict::Inconclusive) => "inconclusive",
                None if matches!(cell.value, super::CellValue::Missing(_)) => "na",
                None => "reported",
            };
            let why = match &cell.value {
                super::CellValue::Missing(why) => format!(" title=\"{}\"", escape(why)),
                _ => String::new(),
            };
            let _ = write!(html, "<td class=\"{class}\"{why}>{}</td>", escape(&cell.text()));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    html.push_str(&table.attacks_html());
    if table.is_monte_carlo() && table.designs.len() > 1 {
        let _ = writeln!(
            html,
            "<h2>Paired differences against {}</h2>\n<p>Same seeds for both designs (common random \
             numbers): mean difference ± 95% CI; <code>*</code> marks an interval that excludes 0.</p>",
            escape(&table.designs[0])
        );
        html.push_str("<table id=\"paired\">\n<thead><tr><th>criterion</th>");
        for header in table.paired_headers() {
            let _ = write!(html, "<th>{}</th>", escape(&header));
        }
        html.push_str("</tr></thead>\n<tbody>\n");
        for row in &table.paired {
            let _ = write!(html, "<tr><td>{}</td>", escape(&title_with_unit(row.criterion)));
            for diff in &row.diffs {
                let _ = write!(html, "<td>{}</td>", escape(&diff_text(diff)));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("<h2>How each criterion is measured</h2>\n<ul>\n");
    for c in table.criteria() {
        let column =
            if c.column.is_empty() { String::new() } else { format!(" (<code>{}</code>)", escape(c.column)) };
        let _ = writeln!(html, "<li><b>{}</b>{column}: {}.</li>", escape(c.id), escape(c.explanation));
    }
    html.push_str("</ul>\n<h2>Runs</h2>\n<ul>\n");
    for (label, run) in table.designs.iter().zip(&table.runs) {
        let _ = writeln!(html, "<li><b>{}</b>: {}</li>", escape(label), inline(&run_text(run)));
    }
    html.push_str("</ul>\n");
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Escape text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The small Markdown subset of report intros: blocks separated by blank
/// lines; `#`..`###` headings, `- ` list items, paragraphs; a block that is
/// one `<section>` element is HTML the caller built and is kept as is (text
/// from users never starts a block).
pub(crate) fn markdown_to_html(markdown: &str) -> String {
    let mut out = String::new();
    for block in markdown.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let lines: Vec<&str> = block.lines().collect();
        if block.starts_with("<section") && block.ends_with("</section>") {
            out.push_str(block);
            out.push('\n');
        } else if lines.iter().all(|l| l.trim_start().starts_with("- ")) {
            out.push_str("<ul>\n");
            for line in lines {
                let _ = writeln!(out, "<li>{}</li>", inline(line.trim_start()[2..].trim()));
            }
            out.push_str("</ul>\n");
        } else if let Some(heading) = block.strip_prefix('#') {
            let level = 2 + heading.chars().take_while(|&c| c == '#').count().min(2);
            let _ = writeln!(out, "<h{level}>{}</h{level}>", inline(heading.trim_start_matches('#').trim()));
        } else {
            let _ = writeln!(out, "<p>{}</p>", inline(&lines.join(" ")));
        }
    }
    out
}

/// Inline Markdown: `code` and `**bold**`, everything else escaped.
pub(crate) fn inline(text: &str) -> String {
    let mut out = String::new();
    for (index, part) in text.split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
            continue;
        }
        for (bold_index, piece) in part.split("**").enumerate() {
            if bold_index % 2 == 1 {
                let _ = write!(out, "<b>{}</b>", escape(piece));
            } else {
                out.push_str(&escape(piece));
            }
        }
    }
    out
}
