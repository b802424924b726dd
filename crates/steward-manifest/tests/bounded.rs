//! Memory and time follow the input, never nodes x depth: a 240 KB manifest of long keys
//! nested deep, with many list items below them, once took gigabytes (each node stored its
//! full path) and ran for seconds. This binary counts every allocation to hold the parser
//! to a bound.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use steward_manifest::{MAX_DEPTH, MAX_NODES, parse_manifests};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests of this binary run one at a time, so that one's allocations do not count
/// against another's.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Parses `text` and returns (error message or "ok", peak bytes allocated meanwhile, time).
fn measure(text: &str) -> (String, usize, Duration) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let outcome = match parse_manifests("deep.yaml", text.as_bytes()) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.one_line(),
    };
    let took = start.elapsed();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    eprintln!("peak {} KiB, {took:?}: {outcome}", peak / 1024);
    (outcome, peak, took)
}

/// `depth` keys of `key_len` characters, one inside the other (flow style, so indentation
/// costs nothing), around a flow list of `items` items.
fn deep_keys(depth: usize, key_len: usize, items: usize) -> String {
    let mut s = String::from("apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: a\n  x: ");
    for i in 0..depth {
        let key = format!("{i:0>width$}", width = key_len);
        s.push_str(&format!("{{{key}: "));
    }
    s.push('[');
    s.push_str(&"1,".repeat(items));
    s.push(']');
    s.push_str(&"}".repeat(depth));
    s.push('\n');
    s
}

const MIB: usize = 1024 * 1024;

#[test]
fn deep_long_keys_with_many_items_stay_small_and_fast() {
    let _alone = alone();
    // Within the depth cap: 29 keys of 1,000 characters over 90,000 items, 210 KB. Stored
    // as paths, that was 90,000 x 29 KB = 2.6 GB.
    let text = deep_keys(MAX_DEPTH - 3, 1000, MAX_NODES - 10_000);
    assert!(text.len() > 200_000, "{}", text.len());
    let (outcome, peak, took) = measure(&text);
    // The system has an unknown key under `metadata`; what matters is the bound.
    assert!(outcome.contains("unknown field `x`"), "{outcome}");
    assert!(peak < 32 * MIB, "peak {} MiB", peak / MIB);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn too_many_items_is_a_located_error() {
    let _alone = alone();
    let text = deep_keys(4, 10, MAX_NODES + 10);
    let (outcome, peak, took) = measure(&text);
    assert!(
        outcome.starts_with("deep.yaml:5:")
            && outcome.contains(&format!("more than {MAX_NODES} keys and list items")),
        "{outcome}"
    );
    assert!(peak < 32 * MIB, "peak {} MiB", peak / MIB);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn nesting_past_the_cap_is_a_located_error() {
    let _alone = alone();
    // The shape of the original report: 240 keys of 1,000 characters, nested.
    let text = deep_keys(240, 1000, 1000);
    assert!(text.len() > 240_000);
    let (outcome, peak, took) = measure(&text);
    assert!(
        outcome.starts_with("deep.yaml:5:")
            && outcome.contains(&format!("more than {MAX_DEPTH} levels deep")),
        "{outcome}"
    );
    assert!(peak < 4 * MIB, "peak {} MiB", peak / MIB);
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Block style likewise.
    let mut block = String::from("apiVersion: steward/v1\nkind: AISystem\n");
    for i in 0..200 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    let (outcome, _, _) = measure(&block);
    assert!(outcome.contains("levels deep"), "{outcome}");
}

#[test]
fn alias_fan_out_is_bounded() {
    let _alone = alone();
    // A billion laughs: ten levels of ten aliases each would expand to 10^10 nodes.
    let mut bomb = String::from(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: a\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str("spec: {lifecycle: pilot}\n");
    let (outcome, peak, took) = measure(&bomb);
    assert!(outcome.starts_with("deep.yaml:"), "{outcome}");
    assert!(
        !outcome.contains('{') || outcome.contains("unknown field"),
        "{outcome}"
    );
    assert!(peak < 64 * MIB, "peak {} MiB", peak / MIB);
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Many aliases where the model takes them: refused by the deserializer's budget, in
    // plain words (once a `Debug` dump such as `Aliases { aliases: 1001 }`).
    let many = format!(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: a\n  title: &s x\nspec:\n  lifecycle: pilot\n  scope:\n    in_scope: [{}]\n",
        "*s, ".repeat(5000)
    );
    let (outcome, peak, _) = measure(&many);
    assert!(
        outcome.starts_with("deep.yaml:9:") && outcome.contains("too many anchors and aliases"),
        "{outcome}"
    );
    assert!(!outcome.contains(" { "), "{outcome}");
    assert!(peak < 32 * MIB, "peak {} MiB", peak / MIB);
}
