//! KPI column names: the fixed leading columns and the `<scope>.<quantity>`
//! rule for the others.

use std::collections::BTreeSet;

/// Name of the first column: the engine's tick counter.
pub const TICK_COLUMN: &str = "tick";
/// Name of the second column: simulated time in seconds.
pub const TIME_COLUMN: &str = "time_s";

/// The quantity part of a KPI name: its last dot-separated segment
/// (`spot_price` for `pool.dt1.spot_price`).
pub fn quantity_of(column: &str) -> &str {
    column.rsplit_once('.').map_or(column, |(_, quantity)| quantity)
}

/// The scope part of a KPI name: everything before the last dot
/// (`pool.dt1` for `pool.dt1.spot_price`), empty when there is no dot.
pub fn scope_of(column: &str) -> &str {
    column.rsplit_once('.').map_or("", |(scope, _)| scope)
}

/// The columns a misspelt `wanted` name (or pattern) most likely meant, for an
/// error message: up to 8 by edit distance, closest first, then how many
/// columns there are: `closest: global.consumes, … (of 484 columns; …)`.
pub fn nearest_columns(wanted: &str, columns: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut scored: Vec<(usize, &String)> = columns.iter().map(|c| (edit_distance(wanted, c), c)).collect();
    scored.sort_by_key(|&(distance, _)| distance);
    let shown: Vec<&str> = scored.iter().take(SHOWN).map(|(_, c)| c.as_str()).collect();
    match columns.len() {
        0 => "the table has no KPI columns".to_owned(),
        n if n <= SHOWN => format!("columns: {}", shown.join(", ")),
        n => format!("closest: {} (of {n} columns; the first line of kpis.csv lists them)", shown.join(", ")),
    }
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Check every KPI column name; on failure, the offending name and why.
pub(crate) fn check_columns(columns: &[String]) -> Result<(), (String, String)> {
    let mut seen = BTreeSet::new();
    for column in columns {
        check_name(column).map_err(|problem| (column.clone(), problem))?;
        if !seen.insert(column.as_str()) {
            return Err((column.clone(), "duplicate column name".to_owned()));
        }
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty name".to_owned());
    }
    if name == TICK_COLUMN || name == TIME_COLUMN {
        return Err(format!(
            "{name:?} is reserved: the writer adds the {TICK_COLUMN} and {TIME_COLUMN} columns"
        ));
    }
    if let Some(bad) =
        name.chars().find(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '"' | '*' | '?'))
    {
        return Err(format!("contains {bad:?}; use letters, digits, '_', '-' and '.'"));
    }
    if !name.contains('.') {
        return Err("expected <scope>.<quantity>, e.g. pool.dt1.spot_price or global.consumes".to_owned());
    }
    if name.split('.').any(str::is_empty) {
        return Err("empty segment between dots".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(names: &[&str]) -> Result<(), (String, String)> {
        check_columns(&names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn nearest_columns_put_the_likely_typo_first() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        let columns: Vec<String> =
            (0..40).map(|i| format!("agent.a{i}.usd")).chain(["global.consumes".to_owned()]).collect();
        let hint = nearest_columns("global.consume", &columns);
        assert!(hint.starts_with("closest: global.consumes, "), "{hint}");
        assert!(hint.ends_with("(of 41 columns; the first line of kpis.csv lists them)"), "{hint}");
        assert_eq!(hint.matches(", ").count(), 7, "eight names: {hint}");
        let few = ["global.b".to_owned(), "global.a".to_owned()];
        assert_eq!(nearest_columns("global.a", &few), "columns: global.a, global.b");
        assert_eq!(nearest_columns("x.y", &[]), "the table has no KPI columns");
    }

    #[test]
    fn good_names_pass() {
        check(&["pool.dt1.spot_price", "agent.alice.usd", "global.consumes", "a-b.c_d"]).unwrap();
    }

    #[test]
    fn bad_names_are_refused() {
        for bad in ["", "tick", "time_s", "nodot", "pool..x", ".x", "x.", "a b.c", "a,b.c", "a\"b.c", "a*.b"]
        {
            let (column, _) = check(&["global.ok", bad]).unwrap_err();
            assert_eq!(column, bad);
        }
        let (column, problem) = check(&["global.x", "global.x"]).unwrap_err();
        assert_eq!(column, "global.x");
        assert!(problem.contains("duplicate"), "{problem}");
    }

    #[test]
    fn scope_and_quantity() {
        assert_eq!(quantity_of("pool.dt1.spot_price"), "spot_price");
        assert_eq!(scope_of("pool.dt1.spot_price"), "pool.dt1");
        assert_eq!(quantity_of("x"), "x");
        assert_eq!(scope_of("x"), "");
    }
}
