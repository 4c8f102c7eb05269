//! Charts with more series than anyone can read: the top N by final value
//! stay as lines, and the rest become one line — their median at each time
//! — with a band from their 25th to their 75th percentile, so a chart of 59
//! pools shows the leaders and where the crowd is, in colours that never
//! repeat within the chart.

use super::render::Line;

/// Lines kept as themselves when a chart has too many; the rest are summarised.
pub(crate) const TOP_LINES: usize = 7;

/// The last finite value of a line (`-inf` when it has none).
fn final_value(line: &Line) -> f64 {
    line.points.iter().rev().map(|&(_, y)| y).find(|y| y.is_finite()).unwrap_or(f64::NEG_INFINITY)
}

/// The `q` quantile (0..=1) of sorted values, linearly interpolated.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let (below, above) = (position.floor() as usize, position.ceil() as usize);
    let weight = position - below as f64;
    (sorted[above] - sorted[below]).mul_add(weight, sorted[below])
}

/// `lines` as they are when there are at most `limit`; else the
/// [`TOP_LINES`] with the highest final values (in their original order)
/// and one line for the median of the others with their interquartile band.
pub(crate) fn condense(lines: Vec<Line>, limit: usize) -> Vec<Line> {
    if lines.len() <= limit {
        return lines;
    }
    let keep = TOP_LINES.min(limit.saturating_sub(1));
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| final_value(&lines[b]).total_cmp(&final_value(&lines[a])).then(a.cmp(&b)));
    let mut top: Vec<usize> = order[..keep].to_vec();
    top.sort_unstable();
    let rest: Vec<&Line> = order[keep..].iter().map(|&i| &lines[i]).collect();
    let times: Vec<f64> = rest[0].points.iter().map(|&(x, _)| x).collect();
    let (mut points, mut band) = (Vec::with_capacity(times.len()), Vec::with_capacity(times.len()));
    for (row, &x) in times.iter().enumerate() {
        let mut values: Vec<f64> = rest
            .iter()
            .filter_map(|line| line.points.get(row))
            .map(|&(_, y)| y)
            .filter(|y| y.is_finite())
            .collect();
        if values.is_empty() {
            points.push((x, f64::NAN));
            continue;
        }
        values.sort_by(f64::total_cmp);
        points.push((x, quantile(&values, 0.5)));
        band.push((x, quantile(&values, 0.25), quantile(&values, 0.75)));
    }
    let summary =
        Line {
            label: format!("median of {} others, 25–75% band", rest.len()), points, band, summary: true
        };
    let mut kept: Vec<Line> =
        lines.into_iter().enumerate().filter(|(i, _)| top.contains(i)).map(|(_, l)| l).collect();
    kept.push(summary);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(label: &str, values: &[f64]) -> Line {
        Line {
            label: label.into(),
            points: values.iter().enumerate().map(|(x, &y)| (x as f64, y)).collect(),
            band: Vec::new(),
            summary: false,
        }
    }

    #[test]
    fn many_lines_become_the_top_ones_and_a_median_with_its_band() {
        let lines: Vec<Line> = (0..20).map(|i| line(&format!("s{i}"), &[0.0, f64::from(i)])).collect();
        let condensed = condense(lines, 8);
        assert_eq!(condensed.len(), TOP_LINES + 1);
        let labels: Vec<&str> = condensed.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            &labels[..TOP_LINES],
            ["s13", "s14", "s15", "s16", "s17", "s18", "s19"],
            "highest final values"
        );
        let summary = condensed.last().unwrap();
        assert_eq!(summary.label, "median of 13 others, 25–75% band");
        // The other 13 end at 0..=12: median 6, quartiles 3 and 9.
        assert_eq!(summary.points[1], (1.0, 6.0));
        assert_eq!(summary.band[1], (1.0, 3.0, 9.0));
        let few: Vec<Line> = (0..3).map(|i| line(&format!("s{i}"), &[1.0])).collect();
        assert_eq!(condense(few, 8).len(), 3, "few lines stay as they are");
    }
}
