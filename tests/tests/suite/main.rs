//! The client against a real Temporal dev server and the Python SDK worker of
//! `tests/python/worker.py`: every client API, with real assertions, once per runtime adapter
//! and once per connection front.
//!
//! # Layout
//!
//! - [`harness`]: [`Ctx`](harness::Ctx) (a connected client, the task queue, the shared
//!   environment), the runtimes ([`Runtime`](harness::Runtime)), the fronts
//!   ([`Front`](harness::Front)) and small helpers.
//! - One module per area, each case an `async fn case(ctx: &Ctx) -> TestResult` that knows
//!   nothing about runtimes or fronts: [`connect`], [`start`], [`results`], [`inspect`],
//!   [`interact`], [`visibility`], [`errors`], [`faults`], [`update`], [`schedule`],
//!   [`activity`] (async completion), [`codec`], [`raw`], [`metadata`]; [`deadlines`] (the
//!   time model through the harness's fault proxy, once per runtime: `tokio_faults::`,
//!   `async_std_faults::`) and [`outages`] (the same, too long for CI).
//! - [`suite!`] instantiates every case listed in [`all_cases!`] as a `#[test]` for one
//!   runtime and one front, in a module named after the pair (`tokio_plain::echo_struct_...`),
//!   so `cargo test --test suite tokio_plain::` runs one instance.
//!
//! # Adding a case, a runtime or a front
//!
//! - A case: write the `async fn` in its module and add `module::case` to [`all_cases!`].
//! - A runtime: a variant of [`harness::Runtime`] with its `block_on` and its transport and
//!   clock, then a `suite!(name, runtime = Variant, front = Plain)` line below.
//! - A front: a variant of [`harness::Front`] whose `connect_options` reaches the shared
//!   server through it (and, if it can, `options_for_server` a dedicated one; `None` skips
//!   the cases that need one), then a `suite!` line per runtime. For the nginx fronts of
//!   the harness that is `temporal_lite_tests::shared_mtls_front().connect_options()` (or
//!   `shared_api_key_front()`), and `NginxFront::mtls(server.address())` for a dedicated
//!   server. Cases only see the resulting client, so none of them needs to change.
//!
//! A case gets a [`Ctx`](harness::Ctx): `ctx.client` (connected through the front, on the
//! runtime, with identity `temporal-lite-suite/RUNTIME/FRONT`), `ctx.calls` (every exchange
//! of that client: method, metadata, transport failure), `ctx.task_queue`, `ctx.env`,
//! `ctx.options(what)` (start options with a unique id), `ctx.sleep` and `ctx.eventually`
//! (runtime-neutral waiting). A case fails by panicking or by returning an error; `?` on any
//! displayable error records where it happened. Each case has a 90 s limit.
//!
//! Cases share one dev server and one worker ([`temporal_lite_tests::shared_env`]) and use
//! unique workflow ids, so the test threads run them concurrently. Cases that need a server
//! of their own (faults, payload limits) start one.

mod activity;
mod codec;
mod connect;
mod deadlines;
mod errors;
mod faults;
mod harness;
mod inspect;
mod interact;
mod metadata;
mod outages;
mod raw;
mod results;
mod schedule;
mod start;
mod update;
mod visibility;

/// Call `$callback!($($args)*; module::case, ...)` with every case of the suite.
macro_rules! all_cases {
    ($callback:ident! ($($args:tt)*)) => {
        $callback!($($args)*;
            connect::connect_reads_system_info,
            connect::lazy_connect_makes_no_call,
            connect::connection_refused_is_a_connect_error,
            start::start_with_every_option,
            start::start_delay_postpones_the_first_task,
            start::same_request_id_starts_once,
            start::id_reuse_policies,
            start::id_conflict_policies,
            start::cron_schedule,
            start::invalid_options_fail_before_any_call,
            results::echo_round_trips_a_struct,
            results::echo_multiple_args_none_and_bytes,
            results::execute_sleep,
            results::result_polls_again_after_the_long_poll_interval,
            results::result_with_a_short_long_poll_deadline,
            results::failure_carries_message_type_and_details,
            results::cancel_gives_canceled,
            results::terminate_gives_terminated,
            results::execution_timeout_gives_timed_out,
            results::continue_as_new_chain_is_followed,
            results::retry_policy_is_followed_to_the_succeeding_attempt,
            results::money_transfer,
            inspect::describe_running_and_closed,
            inspect::describe_pending_activity,
            inspect::handles_by_id_and_by_run,
            inspect::history_pages_and_stream,
            inspect::history_long_poll_returns_on_signal,
            inspect::close_event_filter,
            interact::signal_and_query,
            interact::query_failures,
            interact::cancel_and_terminate_by_id,
            interact::signal_with_start,
            interact::terminate_reaches_the_current_run_of_a_chain,
            visibility::list_and_count,
            errors::not_found,
            errors::namespace_not_found,
            errors::payload_too_large,
            errors::response_over_the_receive_limit,
            faults::result_survives_server_restart,
            update::update_execute_start_and_idempotent_ids,
            update::update_errors_are_typed,
            update::update_with_start,
            schedule::schedule_lifecycle,
            activity::async_activity_heartbeat_and_complete_by_token,
            activity::async_activity_fail_by_id,
            activity::async_activity_cancellation,
            codec::codec_encrypts_both_ways,
            codec::codec_covers_signals_queries_updates_and_failures,
            raw::raw_calls,
            metadata::summary_priority_and_typed_search_attributes,
            metadata::first_execution_run_id_on_handles_by_id,
            metadata::per_call_metadata_and_deadline,
        );
    };
}

/// The `#[test]` function of `$module::$case` for one runtime and one front, with any
/// further attributes.
macro_rules! case_test {
    ($runtime:ident, $front:ident, $module:ident :: $case:ident $(, #[$attr:meta])*) => {
        #[test]
        $(#[$attr])*
        fn $case() -> $crate::harness::TestResult {
            $crate::harness::run(
                $crate::harness::Runtime::$runtime,
                $crate::harness::Front::$front,
                stringify!($case),
                |ctx| ::std::boxed::Box::pin($crate::$module::$case(ctx)),
            )
        }
    };
}

/// The `#[test]` functions of `$($module::$case),*` for one runtime and one front.
macro_rules! instantiate {
    ($runtime:ident, $front:ident; $($module:ident :: $case:ident),* $(,)?) => {
        $(case_test!($runtime, $front, $module::$case);)*
    };
}

/// Like [`instantiate!`], each test `#[ignore]`d: for cases too long for CI, run by
/// `scripts/faults.sh`.
macro_rules! instantiate_ignored {
    ($runtime:ident, $front:ident; $($module:ident :: $case:ident),* $(,)?) => {
        $(case_test!(
            $runtime,
            $front,
            $module::$case,
            #[ignore = "minutes long: run by scripts/faults.sh"]
        );)*
    };
}

/// Instantiate every case as a `#[test]` in module `$name`, for runtime
/// [`harness::Runtime`]`::$runtime` and front [`harness::Front`]`::$front`.
macro_rules! suite {
    ($name:ident, runtime = $runtime:ident, front = $front:ident) => {
        mod $name {
            all_cases!(instantiate!($runtime, $front));
        }
    };
}

/// Call `$callback!($($args)*; module::case, ...)` with every fault case: each needs the
/// plain front only (it puts the harness's fault proxy in front of the server itself), so
/// they run once per runtime (`cargo test --test suite tokio_faults::`).
macro_rules! fault_cases {
    ($callback:ident! ($($args:tt)*)) => {
        $callback!($($args)*;
            deadlines::result_outlives_a_20_s_outage,
            deadlines::a_3_s_deadline_into_a_blackhole,
            deadlines::connect_timeout_into_a_silent_peer,
            deadlines::a_connect_outlives_a_call_that_gave_up,
            deadlines::start_with_answers_lost_for_14_s,
            deadlines::a_thousand_starts_with_a_tenth_of_answers_lost,
            deadlines::concurrent_starts_with_default_options,
            deadlines::terminate_whose_answer_is_lost,
            deadlines::a_wrong_address_fails_at_once,
            deadlines::a_client_can_wait_for_its_server,
            deadlines::a_resetting_peer_says_reset,
            deadlines::go_away_under_load_fails_nothing,
            deadlines::large_error_details_arrive_typed,
        );
    };
}

/// The outages too long for CI (see [`outages`]), `#[ignore]`d, once per runtime.
macro_rules! outage_cases {
    ($callback:ident! ($($args:tt)*)) => {
        $callback!($($args)*;
            outages::result_outlives_a_60_s_outage,
            outages::result_outlives_60_s_of_silence,
            outages::waiters_outlive_a_server_kill_and_restart,
        );
    };
}

mod tokio_faults {
    fault_cases!(instantiate!(Tokio, Plain));
    outage_cases!(instantiate_ignored!(Tokio, Plain));
}

mod async_std_faults {
    fault_cases!(instantiate!(AsyncStd, Plain));
    outage_cases!(instantiate_ignored!(AsyncStd, Plain));
}

suite!(tokio_plain, runtime = Tokio, front = Plain);
suite!(async_std_plain, runtime = AsyncStd, front = Plain);
suite!(tokio_mtls, runtime = Tokio, front = Mtls);
suite!(async_std_mtls, runtime = AsyncStd, front = Mtls);
suite!(tokio_apikey, runtime = Tokio, front = ApiKey);
suite!(async_std_apikey, runtime = AsyncStd, front = ApiKey);
