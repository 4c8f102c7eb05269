//! The chart font: a TrueType file found at run time and registered with
//! plotters once per process.

use super::error::{PlotError, Result};
use plotters::style::{register_font, FontStyle};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Environment variable naming a `.ttf` file to use for chart text.
pub const FONT_ENV: &str = "TOKENSPICE_FONT";

/// Where the font is looked for after [`FONT_ENV`].
const FONT_PATHS: [&str; 2] =
    ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf"];

/// The outcome of the one registration attempt of this process.
#[derive(Debug, Clone)]
enum Registered {
    Font(PathBuf),
    Missing(Vec<PathBuf>),
    Invalid(PathBuf, String),
}

static REGISTERED: OnceLock<Registered> = OnceLock::new();

/// Register the chart font as plotters' `sans-serif` (once per process) and
/// return its path: the first existing file of `$TOKENSPICE_FONT`, then
/// DejaVu Sans at its Debian and Arch locations.
pub fn ensure_font() -> Result<PathBuf> {
    match REGISTERED.get_or_init(register) {
        Registered::Font(path) => Ok(path.clone()),
        Registered::Missing(tried) => Err(PlotError::FontMissing {
            tried: tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        }),
        Registered::Invalid(file, problem) => {
            Err(PlotError::FontInvalid { file: file.clone(), problem: problem.clone() })
        }
    }
}

fn register() -> Registered {
    let candidates: Vec<PathBuf> = std::env::var_os(FONT_ENV)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .chain(FONT_PATHS.iter().map(PathBuf::from))
        .collect();
    let Some(path) = candidates.iter().find(|path| path.is_file()) else {
        return Registered::Missing(candidates);
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => return Registered::Invalid(path.clone(), error.to_string()),
    };
    // plotters keeps a `&'static` font; this runs once per process.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    match register_font("sans-serif", FontStyle::Normal, bytes) {
        Ok(()) => Registered::Font(path.clone()),
        Err(_) => Registered::Invalid(path.clone(), "not a TrueType/OpenType font".to_owned()),
    }
}
