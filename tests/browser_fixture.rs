//! The page tests' browser fixture: the viewport is exactly the size asked for, and nothing
//! it started outlives it, whether the test ends normally or panics.

mod common;

use std::path::{Path, PathBuf};

use common::browser::{Browser, is_running, processes_using};

const PAGE: &str = "data:text/html,<!doctype html><title>x</title><p>halaman uji</p>";

/// chromedriver's pid, the profile, and every process that names the profile, all checked
/// to be running: what must be gone afterwards.
async fn started(b: &Browser) -> (u32, PathBuf, Vec<u32>) {
    b.goto(PAGE).await;
    assert_eq!(b.text("p").await, "halaman uji");
    let driver = b.driver_pid();
    let profile = b.profile_dir().to_path_buf();
    let chromium = processes_using(&profile);
    assert!(is_running(driver), "chromedriver {driver} runs");
    // The browser, its zygotes, at least one renderer and the GPU or utility processes.
    assert!(chromium.len() >= 4, "Chromium processes: {chromium:?}");
    assert!(chromium.iter().all(|p| is_running(*p)));
    (driver, profile, chromium)
}

fn assert_all_ended(driver: u32, profile: &Path, chromium: &[u32]) {
    assert!(!is_running(driver), "chromedriver {driver} left running");
    let left: Vec<u32> = chromium
        .iter()
        .copied()
        .filter(|p| is_running(*p))
        .collect();
    assert!(left.is_empty(), "Chromium processes left running: {left:?}");
    assert_eq!(processes_using(profile), Vec::<u32>::new());
    assert!(!profile.exists(), "profile {} removed", profile.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_that_panics_leaves_no_browser_behind() {
    let b = Browser::start_with(800, 600, &[]).await;
    let (driver, profile, chromium) = started(&b).await;
    // Some of them left chromedriver's process group: killing the group alone would not do.
    let outside: Vec<u32> = chromium
        .iter()
        .copied()
        .filter(|p| process_group(*p) != Some(driver))
        .collect();
    eprintln!("Chromium processes outside chromedriver's group: {outside:?}");

    // The test panics with the browser open: unwinding drops it.
    let task = tokio::spawn(async move {
        let b = b;
        b.goto(PAGE).await;
        panic!("a failing page test");
    });
    let err = task.await.expect_err("the task panicked");
    assert!(err.is_panic());
    assert_all_ended(driver, &profile, &chromium);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quit_ends_everything_and_dropping_afterwards_is_harmless() {
    let b = Browser::start().await;
    let (driver, profile, chromium) = started(&b).await;
    b.quit().await;
    assert_all_ended(driver, &profile, &chromium);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_viewport_is_exactly_the_size_asked_for() {
    for (w, h) in [(1920, 1080), (1280, 720)] {
        let b = Browser::start_with(w, h, &["--hide-scrollbars"]).await;
        b.goto(PAGE).await;
        let inner = b
            .script("return [window.innerWidth, window.innerHeight, window.devicePixelRatio];")
            .await;
        assert_eq!(inner, serde_json::json!([w, h, 1]));
        let shot = common::images::decode(&b.screenshot().await);
        assert_eq!((shot.width, shot.height), (w, h));
        b.quit().await;
    }
}

fn process_group(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After "pid (comm) ": state, ppid, pgrp.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()
}
