//! One agent's persistent scope for its scripts: its `params` (constants by
//! name), its `memory` (an object map that persists across evaluations)
//! and values bound by the caller.
//!
//! # Errors
//! A name that is not an identifier, or that would hide `memory` or
//! `self`, is refused; so is rebinding a parameter.

use super::values::{from_toml, table_to_map};
use rhai::{Dynamic, Map, Scope};

/// The variable that holds an agent's memory.
pub const MEMORY: &str = "memory";

/// One agent's persistent scope.
#[derive(Debug, Clone)]
pub struct Env {
    scope: Scope<'static>,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name == MEMORY || name == "self" {
        return Err(format!("`{name}` is reserved"));
    }
    // A name is usable when it is an identifier that Rhai accepts as a variable (not a keyword).
    if !rhai::is_valid_identifier(name)
        || super::engine::engine().compile(format!("let {name} = 0;")).is_err()
    {
        return Err(format!(
            "`{name}` is not a valid name (letters, digits and _, not starting with a digit, not a keyword)"
        ));
    }
    Ok(())
}

impl Env {
    /// An environment with no parameters and an empty memory.
    pub fn new() -> Self {
        let mut scope = Scope::new();
        scope.push(MEMORY, Map::new());
        Self { scope }
    }

    /// An environment with `params` as constants and `memory` as the initial memory.
    pub fn from_tables(params: &toml::Table, memory: &toml::Table) -> Result<Self, String> {
        let mut env = Self::new();
        for (name, value) in params {
            check_name(name).map_err(|e| format!("parameter {e}"))?;
            env.scope.push_constant_dynamic(name.as_str(), from_toml(value));
        }
        if let Some(map) = env.scope.get_value_mut::<Map>(MEMORY) {
            *map = table_to_map(memory);
        }
        Ok(env)
    }

    /// Bind `name` to `value` for later evaluations (replacing an earlier binding).
    pub fn set(&mut self, name: &str, value: Dynamic) -> Result<(), String> {
        check_name(name)?;
        if self.scope.is_constant(name) == Some(true) {
            return Err(format!("`{name}` is a parameter; it cannot be rebound"));
        }
        self.scope.set_or_push(name, value);
        Ok(())
    }

    /// The value of a parameter or bound name (`memory` included).
    pub fn get(&self, name: &str) -> Option<Dynamic> {
        self.scope.get(name).cloned()
    }

    /// The memory (None only when a script replaced it by something else than a map).
    pub fn memory(&self) -> Option<&Map> {
        self.scope.get_value_ref::<Map>(MEMORY)
    }

    /// Set one entry of the memory (e.g. a behaviour's `bind`).
    pub fn set_memory(&mut self, key: &str, value: Dynamic) -> Result<(), String> {
        match self.scope.get_value_mut::<Map>(MEMORY) {
            Some(map) => {
                map.insert(key.into(), value);
                Ok(())
            }
            None => Err("`memory` is no longer an object map".to_string()),
        }
    }

    pub(crate) fn scope_mut(&mut self) -> &mut Scope<'static> {
        &mut self.scope
    }
}
