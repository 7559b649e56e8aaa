//! Building the workspace index of 10 000 agent files, as the server does on `initialized`:
//! walk the folder, classify, read and analyse each file, keep its facts. Target: under a
//! second. Run with `cargo bench --bench index`.

use std::path::Path;

use agentls::discover::{self, Discovery};
use agentls::schema::DialectOverrides;
use agentls::workspace::{self, WorkspaceIndex};
use criterion::{Criterion, criterion_group, criterion_main};

const SEED: &str = include_str!("../tests/fixtures/rust-backend-expert.md");
const FILES: usize = 10_000;

/// 10 000 seed-sized agents in 100 projects, each naming a skill of its project.
fn workspace(root: &Path) {
    for index in 0..FILES {
        let project = root.join(format!("project-{}", index / 100));
        let agents = project.join(".claude/agents");
        std::fs::create_dir_all(&agents).unwrap();
        let text = SEED.replacen(
            "name: rust-backend-expert",
            &format!("name: agent-{index}\nskills: [style-{}]", index / 100),
            1,
        );
        std::fs::write(agents.join(format!("agent-{index}.md")), text).unwrap();
        if index % 100 == 0 {
            let skill = project.join(format!(".claude/skills/style-{}", index / 100));
            std::fs::create_dir_all(&skill).unwrap();
            std::fs::write(
                skill.join("SKILL.md"),
                "---\nname: style\ndescription: House style\n---\nBe terse.\n",
            )
            .unwrap();
        }
    }
}

fn index(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    let overrides = DialectOverrides::default();
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.bench_function("10 000 agent files", |b| {
        b.iter(|| {
            let mut discovery = Discovery::default();
            discover::walk(dir.path(), &overrides, &mut discovery);
            let index = WorkspaceIndex::default();
            for (path, facts) in workspace::scan(&discovery.candidates) {
                index.update(&path, Some(facts));
            }
            assert!(index.len() >= FILES);
            index
        });
    });
    group.finish();
}

criterion_group!(benches, index);
criterion_main!(benches);
