//! Files for tests: copying a folder tree (a build, the shipped includes).

// Not every test binary that includes this file uses all of it.
#![allow(dead_code)]

use std::path::Path;

/// Copy the folder `from` to `to` (created), recursively.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
