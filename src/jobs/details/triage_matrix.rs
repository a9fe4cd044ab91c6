//! The worker x cause table of the Failures section, with its verdict.

use leptos::prelude::*;

use crate::triage::groups::Triage;
use crate::triage::matrix::{FailureMatrix, MatrixRow};

#[component]
pub fn FailureMatrixTable(matrix: Memo<FailureMatrix>, triage: Memo<Triage>) -> impl IntoView {
    let verdict = move || matrix.with(|matrix| matrix.verdict().sentence());
    let causes = Memo::new(move |_| triage.with(Triage::keys));
    let headers = move || {
        causes
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, key)| view! { <th scope="col" title=key>{format!("Cause {}", index + 1)}</th> })
            .collect_view()
    };
    let rows = move || matrix.with(|matrix| matrix.rows.iter().map(row_view).collect_view());
    view! {
        <div class="failure-matrix">
            <p class="failure-verdict" role="note">{verdict}</p>
            <table class="failure-matrix-table">
                <caption>"Failures per worker on this job"</caption>
                <thead>
                    <tr><th scope="col">"Worker"</th>{headers}<th scope="col">"All causes"</th><th scope="col">"Blocklisted"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn row_view(row: &MatrixRow) -> impl IntoView {
    let cells = row
        .per_group
        .iter()
        .map(|&count| view! { <td class="count" class:zero=count == 0>{count}</td> })
        .collect_view();
    let blocked = if row.blocklisted_for.is_empty() {
        "no".to_owned()
    } else {
        format!("yes ({})", row.blocklisted_for.join(", "))
    };
    let is_blocked = !row.blocklisted_for.is_empty();
    view! {
        <tr class:blocklisted=is_blocked>
            <th scope="row">{row.worker.label().to_owned()}</th>
            {cells}
            <td class="count">{row.total}</td>
            <td>{blocked}</td>
        </tr>
    }
}
