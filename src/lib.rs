//! loket: the queue-ticket and complaint-service appliance of an Indonesian public-service
//! office. The library holds everything; `main.rs` is only the command line.

pub mod accounts_cli;
pub mod app;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod backup_cli;
pub mod button;
pub mod calendar;
pub mod check_cli;
pub mod city;
pub mod city_cli;
pub mod clock;
pub mod complaint;
pub mod complaints_cli;
pub mod config;
pub mod control;
pub mod data_dir;
pub mod display;
pub mod downgrade;
pub mod events;
pub mod issue;
pub mod letter;
pub mod listen;
pub mod migrate_cli;
pub mod pdf;
pub mod printer;
pub mod privacy;
pub mod queue;
pub mod report;
pub mod store;
pub mod survey;
pub mod tls;
pub mod voice;
pub mod web;
