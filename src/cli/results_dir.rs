//! Results folders written safely. A run writes into a fresh staging folder
//! beside its target (`.<name>.partial`), under a lock file (`.<name>.lock`,
//! holding the writer's PID) that refuses a second writer; only a run that
//! ends — finished, stopped by an invariant or interrupted — is renamed into
//! place, the previous results kept as `<name>.prev`. A run that fails or is
//! killed leaves the previous results untouched and its own rows readable
//! in the staging folder, its `run.json` saying `"status": "running"` (killed)
//! or `"failed"`. Outputs never follow symbolic links, and a folder name
//! taken from a netlist cannot climb out of `results/`.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

/// Why `name` cannot name a results folder under `results/`, if it cannot.
pub(crate) fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.trim() != name {
        Some("it is empty or starts or ends with a space")
    } else if name == "." || name == ".." || name.starts_with('.') {
        Some("it starts with '.'")
    } else if name.contains(['/', '\\']) {
        Some("it holds a path separator")
    } else if name.chars().any(char::is_control) {
        Some("it holds a control character")
    } else if name.len() > 200 {
        Some("it is longer than 200 bytes")
    } else {
        None
    }
}

/// A lock file that is removed when dropped.
#[derive(Debug)]
pub(crate) struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn process_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only asks whether the process exists.
    pid > 0 && unsafe { libc::kill(pid, 0) } == 0
}

impl Lock {
    fn take(path: PathBuf, target: &Path) -> anyhow::Result<Self> {
        for _ in 0..2 {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    use std::io::Write;
                    write!(file, "{}", std::process::id())
                        .with_context(|| format!("writing {}", path.display()))?;
                    return Ok(Self(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder =
                        std::fs::read_to_string(&path).ok().and_then(|t| t.trim().parse::<i32>().ok());
                    if let Some(pid) = holder.filter(|pid| process_alive(*pid)) {
                        bail!(
                            "another tsp (pid {pid}) is writing {}; wait for it, or give another --out",
                            target.display()
                        );
                    }
                    let _ = std::fs::remove_file(&path); // its writer is gone
                }
                Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
            }
        }
        bail!("cannot take the lock {}", path.display())
    }
}

/// Claim the output folder of a study (sweep, Monte Carlo compare,
/// optimisation, corners): it keeps earlier runs to resume, so it is not
/// staged, but it must not be a symlink, a file or a single run's folder,
/// and only one tsp may write it at a time (the lock is held until dropped).
pub(crate) fn claim_study_folder(out: &Path, command: &str) -> anyhow::Result<Lock> {
    let shown = format!("--out {}", out.display());
    claim(out, &shown, |out| {
        if crate::kpis::has_kpis(out) {
            bail!(
                "{shown} holds a run (kpis.csv): {command} would overwrite its report; give another folder"
            );
        }
        Ok(())
    })
    .map(|(lock, _)| lock)
}

/// Checks shared by runs and studies: `target` has a folder name, is not a
/// symlink or a file, passes `existing` when it exists; its parent is made
/// and its lock taken. Returns the lock and the parent folder.
fn claim(
    target: &Path,
    shown: &str,
    existing: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<(Lock, PathBuf)> {
    let Some(name) = target.file_name().and_then(|n| n.to_str()) else {
        bail!("{shown}: give a folder name (not '..', '/' or a name that is not UTF-8)");
    };
    if let Ok(meta) = std::fs::symlink_metadata(target) {
        if meta.file_type().is_symlink() {
            bail!("{shown} is a symbolic link; give the folder itself");
        }
        if !meta.is_dir() {
            bail!("{shown} is a file, not a folder");
        }
        existing(target)?;
    }
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let lock = Lock::take(parent.join(format!(".{name}.lock")), target)?;
    Ok((lock, parent.to_path_buf()))
}

/// A run's staging folder and the target it replaces on success.
#[derive(Debug)]
pub(crate) struct Staging {
    target: PathBuf,
    dir: PathBuf,
    _lock: Lock,
}

impl Staging {
    /// Check `target` and prepare a fresh staging folder beside it.
    pub(crate) fn begin(target: &Path) -> anyhow::Result<Self> {
        let shown = format!("results folder {}", target.display());
        let (lock, parent) = claim(target, &shown, |target| {
            let mut entries = std::fs::read_dir(target).with_context(|| format!("listing {shown}"))?;
            if entries.next().is_some() && !target.join("run.json").is_file() {
                bail!("{shown} holds files but no run.json: it is not a results folder, and tsp will not replace it");
            }
            Ok(())
        })?;
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let dir = parent.join(format!(".{name}.partial"));
        if std::fs::symlink_metadata(&dir).is_ok() {
            std::fs::remove_dir_all(&dir)
                .or_else(|_| std::fs::remove_file(&dir))
                .with_context(|| format!("removing the leftover {}", dir.display()))?;
        }
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self { target: target.to_path_buf(), dir, _lock: lock })
    }

    /// The folder the run writes into.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Move the run into place; returns where the previous results went.
    pub(crate) fn commit(self) -> anyhow::Result<Option<PathBuf>> {
        let previous = self.target.with_file_name(format!(
            "{}.prev",
            self.target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        ));
        // An empty folder (made for the run) is simply replaced.
        let empty = std::fs::read_dir(&self.target).is_ok_and(|mut entries| entries.next().is_none());
        if empty {
            std::fs::remove_dir(&self.target)
                .with_context(|| format!("replacing {}", self.target.display()))?;
        }
        let kept = if self.target.exists() {
            if std::fs::symlink_metadata(&previous).is_ok() {
                std::fs::remove_dir_all(&previous)
                    .with_context(|| format!("removing {}", previous.display()))?;
            }
            std::fs::rename(&self.target, &previous)
                .with_context(|| format!("moving {} to {}", self.target.display(), previous.display()))?;
            Some(previous)
        } else {
            None
        };
        std::fs::rename(&self.dir, &self.target)
            .with_context(|| format!("moving {} to {}", self.dir.display(), self.target.display()))?;
        Ok(kept)
    }

    /// Leave the staging folder as it is (a failed run); returns it.
    pub(crate) fn keep_partial(self) -> PathBuf {
        self.dir
    }
}
