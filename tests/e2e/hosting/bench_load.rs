//! One cell of `scripts/bench-load` through the same code: 100 jobs, CPU 1x, network unthrottled, a
//! cold visit then a warm one. Asserts what does not depend on timing; the times are only printed.

use crate::support::load::{Cache, LoadBench, Network};

#[tokio::test(flavor = "multi_thread")]
async fn the_load_benchmark_measures_one_list_fetch_and_a_warm_visit_without_code() {
    let bench = LoadBench::start(100).await;
    let cells = bench.measure(1, Network::Unthrottled).await;
    bench.close().await;
    eprintln!("{}", crate::support::load::table(&cells));
    let [cold, warm] = &cells;
    assert_eq!((cold.visit.cache, warm.visit.cache), (Cache::Cold, Cache::Warm));
    for cell in &cells {
        let visit = &cell.visit;
        assert_eq!(visit.list_requests, 1, "one job-list request per load: {visit:?}");
        assert!(visit.data_bytes > 0, "the job list went over the wire: {visit:?}");
        for figure in [visit.first_rows_ms, visit.longest_task_ms, cell.floor_ms, cell.first_rows_ratio()] {
            assert!(figure.is_finite() && figure >= 0.0, "a figure that means something: {cell:?}");
        }
        assert!(cell.floor_ms > 0.0 && visit.first_rows_ms > 0.0, "times were measured: {cell:?}");
    }
    assert!(cold.visit.code_bytes > 0, "the cold visit downloads the app: {:?}", cold.visit);
    assert_eq!(warm.visit.code_bytes, 0, "the warm visit takes the app from the cache: {:?}", warm.visit);
}
