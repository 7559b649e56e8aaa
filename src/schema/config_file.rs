//! The schema of `.agentls.yaml` itself (`agentls-config.yaml` in this folder): its keys with
//! their docs and what their keys and values are, and the rule levels. Completion and hover in
//! the configuration file come from it and from the live lists its vocabularies name.

use std::sync::LazyLock;

use serde::Deserialize;

/// The configuration file's description.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSchema {
    pub title: String,
    pub keys: Vec<ConfigKey>,
    /// What `rules:` values may be, in order of severity.
    pub levels: Vec<Level>,
}

/// A top-level key of the file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigKey {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ConfigKeyType,
    /// One line, for completion.
    pub summary: String,
    /// Markdown, for hover.
    pub doc: String,
    #[serde(default)]
    pub example: Option<String>,
    /// A mapping's keys.
    #[serde(default)]
    pub keys: Option<Vocabulary>,
    /// Keys a mapping accepts besides its vocabulary's (`"*"`: every dialect).
    #[serde(default)]
    pub extra_keys: Vec<Word>,
    /// A mapping's values.
    #[serde(default)]
    pub values: Option<Vocabulary>,
    /// A list's items.
    #[serde(default)]
    pub items: Option<Vocabulary>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigKeyType {
    List,
    Mapping,
}

/// Where the words of a position come from.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Vocabulary {
    /// Rule codes (`config::RULES`).
    Rule,
    /// [`ConfigSchema::levels`].
    Level,
    /// Dialect ids (the registry).
    Dialect,
    /// The fields of the dialect named by the entry's key.
    Field,
    /// Tool names of every dialect.
    Tool,
    /// A path glob: free text.
    Glob,
}

/// A word with its documentation.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Word {
    pub value: String,
    #[serde(default)]
    pub doc: String,
}

/// A `rules:` value.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub value: String,
    /// Other accepted spellings (`info`).
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub doc: String,
}

static SCHEMA: LazyLock<ConfigSchema> = LazyLock::new(|| {
    serde_saphyr::from_str(include_str!("agentls-config.yaml")).unwrap_or_else(|error| {
        // A build defect the unit tests catch; at run time it only costs the editor help.
        tracing::error!("schema agentls-config.yaml is invalid: {error}");
        ConfigSchema::default()
    })
});

impl ConfigSchema {
    /// The embedded description of `.agentls.yaml` (parsed on first use).
    pub fn get() -> &'static Self {
        &SCHEMA
    }

    pub fn key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.iter().find(|key| key.name == name)
    }

    /// The level spelled `word` (its name or an alias).
    pub fn level(&self, word: &str) -> Option<&Level> {
        self.levels
            .iter()
            .find(|level| level.value == word || level.aliases.iter().any(|alias| alias == word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_schema_loads() {
        let schema: ConfigSchema =
            serde_saphyr::from_str(include_str!("agentls-config.yaml")).expect("valid schema");
        assert_eq!(
            schema
                .keys
                .iter()
                .map(|key| key.name.as_str())
                .collect::<Vec<_>>(),
            ["tools", "fields", "rules", "dialects", "ignore"]
        );
        for key in &schema.keys {
            assert!(
                !key.summary.is_empty() && !key.doc.trim().is_empty(),
                "{}",
                key.name
            );
            match key.ty {
                ConfigKeyType::List => {
                    assert!(key.items.is_some() && key.keys.is_none() && key.values.is_none())
                }
                ConfigKeyType::Mapping => {
                    assert!(key.items.is_none() && key.keys.is_some() && key.values.is_some())
                }
            }
        }
        assert_eq!(
            ConfigSchema::get()
                .level("info")
                .map(|level| level.value.as_str()),
            Some("information")
        );
    }
}
