//! Printing what was found, for people (text) and scripts (`--json`).

use tilemerge::{Canvas, LayoutProblem, LayoutReport, PassSeams, SeamReport};

use crate::merge::Timings;

/// Tiles missing or wrong: the problems that make `merge` refuse and both commands exit 1.
pub fn error_count(report: &LayoutReport, canvas: &Canvas) -> usize {
    report.missing.len() + canvas.problems().len()
}

fn is_warning(problem: &LayoutProblem) -> bool {
    !matches!(problem, LayoutProblem::Missing { .. })
}

pub fn print_layout(report: &LayoutReport, canvas: &Canvas, grid_source: &str) {
    let g = &report.grid;
    println!(
        "grid: {} image, {} tiles of {} ({} x {}), overscan {} ({grid_source})",
        g.image,
        report.expected_tiles,
        g.tile,
        g.columns(),
        g.rows(),
        g.overscan
    );
    let coverage = canvas.coverage();
    println!(
        "placed {} of {} tiles ({} whole, {} in part); {} of {} pixels covered",
        coverage.complete + coverage.partial,
        report.expected_tiles,
        coverage.complete,
        coverage.partial,
        coverage.covered_pixels,
        coverage.total_pixels
    );
    let passes: Vec<String> = canvas
        .passes()
        .iter()
        .map(|p| {
            let channels: Vec<String> =
                p.channels.iter().map(|c| format!("{} {}", c.component, c.sample_type)).collect();
            format!("{} [{}]", p.display_name(), channels.join(", "))
        })
        .collect();
    if !passes.is_empty() {
        println!("passes: {}", passes.join("; "));
    }
    let errors: Vec<String> = report
        .problems
        .iter()
        .filter(|p| !is_warning(p))
        .map(ToString::to_string)
        .chain(canvas.problems().iter().map(ToString::to_string))
        .collect();
    for error in &errors {
        println!("error: {error}");
    }
    for warning in report.problems.iter().filter(|p| is_warning(p)) {
        println!("warning: {warning}");
    }
    if errors.is_empty() {
        println!("no tile is missing or wrong");
    }
}

fn fmt_value(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else {
        format!("{v:.6}")
    }
}

pub fn print_seams(seams: &SeamReport, worst: usize) {
    if seams.passes.is_empty() {
        println!("seams: nothing to compare");
        return;
    }
    println!(
        "seams ({} tile pairs compared; absolute difference in the shared overscan):",
        seams.edges.len()
    );
    for (index, pass) in seams.passes.iter().enumerate() {
        let verdict = if pass.max_abs == 0.0 { "exact" } else { "differs" };
        println!(
            "  {:<28} max {:>10}  mean {:>10}  {verdict}",
            pass.pass,
            fmt_value(pass.max_abs),
            fmt_value(pass.mean_abs)
        );
        if pass.max_abs == 0.0 {
            continue;
        }
        for channel in &pass.channels {
            println!(
                "      {:<24} max {:>10}  mean {:>10}",
                channel.channel,
                fmt_value(channel.max_abs),
                fmt_value(channel.mean_abs)
            );
        }
        let mut edges: Vec<(&tilemerge::EdgeSeams, &PassSeams)> = seams
            .edges
            .iter()
            .filter_map(|e| e.passes.get(index).map(|p| (e, p)))
            .filter(|(_, p)| p.max_abs > 0.0)
            .collect();
        edges.sort_by(|a, b| b.1.max_abs.total_cmp(&a.1.max_abs));
        for (edge, stats) in edges.iter().take(worst) {
            println!(
                "      {} | {} ({:?}): max {}  mean {}",
                edge.a,
                edge.b,
                edge.kind,
                fmt_value(stats.max_abs),
                fmt_value(stats.mean_abs)
            );
        }
    }
    if seams.pending_strips > 0 {
        println!("  ({} overscan strips were not compared: their tiles are missing)", seams.pending_strips);
    }
}

pub fn json(report: &LayoutReport, canvas: &Canvas, seams: Option<&SeamReport>) -> String {
    let problems: Vec<serde_json::Value> = canvas
        .problems()
        .iter()
        .map(|p| serde_json::json!({ "tile": p.tile, "message": p.to_string(), "error": p.error }))
        .collect();
    let layout_problems: Vec<serde_json::Value> = report
        .problems
        .iter()
        .map(|p| serde_json::json!({ "message": p.to_string(), "problem": p }))
        .collect();
    let value = serde_json::json!({
        "layout": report,
        "layout_problems": layout_problems,
        "coverage": canvas.coverage(),
        "tile_problems": problems,
        "passes": canvas.passes(),
        "seams": seams,
    });
    serde_json::to_string_pretty(&value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// One line, `name value` pairs that bench/bench.py and examples/bench_preview.rs read back.
pub fn print_timings(t: &Timings) {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "timings (ms): layout {:.1}, decode {:.1} wall (file reads {:.1} summed, placing {:.1} on the main thread), encode {:.1} wall (file writes {:.1} of it, as blocks finish), png {:.1}, total {:.1}",
        ms(t.layout),
        ms(t.decode),
        ms(t.read_files),
        ms(t.place),
        ms(t.encode),
        ms(t.write),
        ms(t.png),
        ms(t.total)
    );
}
