//! The host simulation: the real kernel core on a host port.
//!
//! Each task and each ISR is a host thread, but only the thread holding the simulated CPU
//! runs: the kernel's dispatch decision passes the CPU from thread to thread, so the
//! interleaving is the kernel's, never the host scheduler's. Time is virtual (nanoseconds):
//! code takes no time unless it says so with `Os::busy_us`, ticks fall every `tick_ns` and
//! interrupts arrive as the description's stimuli say. Between events the CPU either idles
//! (time jumps to the next event) or is busy (time passes in the busy context, which the
//! events may preempt). A run is a pure function of the description and the seed.
//!
//! The seed drives stimulus jitter, and perturbs the host side (how long each thread dawdles
//! before taking the CPU), which must not change the trace: the tests check that.

pub mod can;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;

use ecu_os::{Config, Context, Dispatch, Error, Exit, IsrId, Kernel, Os, Reply, Request, Syscalls};

/// Interrupt arrivals of one ISR: at `offset_ns`, then every `period_ns` (0: once), each
/// arrival late by up to `jitter_ns` (seeded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stimulus {
    pub isr: IsrId,
    pub offset_ns: u64,
    pub period_ns: u64,
    pub jitter_ns: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Run until this many ticks of the system counter have elapsed.
    pub run_ticks: u64,
    pub seed: u64,
    pub stimuli: &'static [Stimulus],
}

/// What a run produced: the kernel trace as text lines, and faults the port contained.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub trace: Vec<String>,
    /// When each trace line happened, in virtual nanoseconds.
    pub times_ns: Vec<u64>,
    pub faults: Vec<String>,
    pub ticks: u64,
    /// Virtual time at the end of the run.
    pub end_ns: u64,
    /// ShutdownOS was called (with this error, if any).
    pub shutdown: Option<Option<Error>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Idle,
    Ctx(Context),
}

struct Cpu<
    const T: usize,
    const A: usize,
    const C: usize,
    const R: usize,
    const I: usize,
    const S: usize,
> {
    kernel: Kernel<T, A, C, R, I, S>,
    owner: Owner,
    /// The run is over (its time is up, ShutdownOS, or a fault stopped it).
    over: bool,
    outcome: Outcome,
    now_ns: u64,
    end_ns: u64,
    tick_ns: u64,
    /// Next arrival of each stimulus (u64::MAX: no more).
    arrivals: Vec<u64>,
    stimuli: &'static [Stimulus],
    arrival_counts: Vec<u64>,
    rng: u64,
    host_rng: u64,
    switches_this_tick: u32,
    /// The CAN network, when the image has one.
    can: Option<can::ecu::EcuCan>,
}

/// More task switches than this within one tick can only be a livelock (tasks re-activating
/// each other without taking time): the run stops with a fault instead of growing its trace
/// without bound.
pub const MAX_SWITCHES_PER_TICK: u32 = 100_000;

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

impl<
        const T: usize,
        const A: usize,
        const C: usize,
        const R: usize,
        const I: usize,
        const S: usize,
    > Cpu<T, A, C, R, I, S>
{
    fn drain_trace(&mut self) {
        let names = ecu_os::ConfigNames {
            config: self.kernel.config(),
            ipc: self.kernel.ipc_config(),
        };
        while let Some(record) = self.kernel.trace_pop() {
            let mut text = String::new();
            // Writing into a String cannot fail.
            let _ = record.write(&names, &mut text);
            // One line per event (a compound record writes several).
            for line in text.lines() {
                self.outcome.trace.push(line.to_owned());
                // Drained after every kernel call, at the time the kernel was last told.
                self.outcome.times_ns.push(self.now_ns);
            }
        }
        let lost = self.kernel.trace_take_lost();
        if lost > 0 {
            self.outcome
                .faults
                .push(format!("trace: {lost} records lost"));
        }
    }

    /// Runs the CAN network up to now: what the ECU's controllers received reaches the
    /// kernel's receive queues (and the gateway).
    fn sync_can(&mut self) {
        let now = self.now_ns;
        if let Some(can) = self.can.as_mut() {
            let kernel = &mut self.kernel;
            can.advance(now, |bus, frame| {
                kernel.can_deliver(bus, frame);
            });
        }
    }

    /// Puts what the kernel allowed tasks to transmit on the buses, now.
    fn flush_can(&mut self) {
        if let Some(can) = self.can.as_mut() {
            while let Some((bus, frame)) = self.kernel.can_take_tx() {
                can.transmit(bus, frame);
            }
        }
    }

    fn fault(&mut self, message: String) {
        self.outcome.faults.push(message);
        self.over = true;
    }

    fn dispatch(&mut self) {
        match self.kernel.dispatch() {
            Dispatch::Keep => {}
            Dispatch::Switch { to, .. } => {
                self.owner = Owner::Ctx(to);
                self.switches_this_tick += 1;
                if self.switches_this_tick > MAX_SWITCHES_PER_TICK && !self.over {
                    let tick = self.kernel.elapsed_ticks();
                    self.fault(format!(
                        "fault: livelock at tick {tick}: over {MAX_SWITCHES_PER_TICK} \
                         switches without time passing"
                    ));
                }
            }
            Dispatch::Idle => self.owner = Owner::Idle,
            Dispatch::Shutdown(error) => {
                self.outcome.shutdown = Some(error);
                self.over = true;
            }
        }
        self.drain_trace();
    }

    fn next_tick_ns(&self) -> u64 {
        (self.kernel.elapsed_ticks() + 1) * self.tick_ns
    }

    /// The time of the next event (tick, interrupt arrival, or a budget of what executes
    /// running out).
    fn next_event_ns(&self) -> u64 {
        let arrival = self.arrivals.iter().copied().min().unwrap_or(u64::MAX);
        let budget = self.kernel.next_budget_deadline_ns().unwrap_or(u64::MAX);
        self.next_tick_ns().min(arrival).min(budget)
    }

    fn schedule_arrival(&mut self, index: usize) {
        let stimulus = self.stimuli[index];
        let count = self.arrival_counts[index];
        if count > 0 && stimulus.period_ns == 0 {
            self.arrivals[index] = u64::MAX;
            return;
        }
        let nominal = stimulus.offset_ns + count * stimulus.period_ns;
        let jitter = match stimulus.jitter_ns {
            0 => 0,
            j => xorshift(&mut self.rng) % (j + 1),
        };
        self.arrivals[index] = nominal + jitter;
        self.arrival_counts[index] = count + 1;
    }

    /// Runs every event due at `now_ns`: the tick first, then arrivals in stimulus order.
    fn process_events(&mut self) {
        // Time first: a budget that ran out is dealt with before anything else happens.
        self.kernel.advance_time(self.now_ns);
        self.sync_can();
        self.dispatch();
        if self.now_ns >= self.next_tick_ns() {
            self.switches_this_tick = 0;
            self.kernel.tick();
            self.dispatch();
        }
        for index in 0..self.arrivals.len() {
            if self.arrivals[index] <= self.now_ns {
                self.kernel.interrupt(self.stimuli[index].isr);
                self.schedule_arrival(index);
                self.dispatch();
            }
        }
    }
}

struct Machine<
    const T: usize,
    const A: usize,
    const C: usize,
    const R: usize,
    const I: usize,
    const S: usize,
> {
    config: &'static Config,
    cpu: Mutex<Cpu<T, A, C, R, I, S>>,
    turn: Condvar,
}

/// The unwinding payload that ends a task or ISR thread whose run is over.
struct RunOver;

/// What a panic said, for the fault line: `: message`, or nothing.
fn outcome_message<T>(outcome: &std::thread::Result<T>) -> String {
    let Err(payload) = outcome else {
        return String::new();
    };
    if let Some(text) = payload.downcast_ref::<&str>() {
        format!(": {text}")
    } else if let Some(text) = payload.downcast_ref::<String>() {
        format!(": {text}")
    } else {
        String::new()
    }
}

/// The unwinding payload that abandons an activation the kernel ended by force.
struct Killed;

thread_local! {
    /// The kernel's incarnation number of the activation this thread is running.
    static INCARNATION: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl<
        const T: usize,
        const A: usize,
        const C: usize,
        const R: usize,
        const I: usize,
        const S: usize,
    > Machine<T, A, C, R, I, S>
{
    fn lock(&self) -> MutexGuard<'_, Cpu<T, A, C, R, I, S>> {
        // A poisoned lock means a thread panicked while holding the CPU; the state is still
        // consistent because every kernel call completes before user code runs.
        self.cpu
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Blocks until `me` holds the CPU; false if the run ended meanwhile.
    fn wait_for<'a>(
        &'a self,
        mut cpu: MutexGuard<'a, Cpu<T, A, C, R, I, S>>,
        me: Owner,
    ) -> (MutexGuard<'a, Cpu<T, A, C, R, I, S>>, bool) {
        while cpu.owner != me && !cpu.over {
            cpu = self.turn.wait(cpu).unwrap_or_else(|p| p.into_inner());
        }
        let granted = !cpu.over;
        (cpu, granted)
    }

    /// After a kernel call from `me`: if the CPU went elsewhere, hand it over and wait for it
    /// to come back. A run that ends meanwhile unwinds the caller's thread out of its body.
    fn yield_if_switched<'a>(
        &'a self,
        cpu: MutexGuard<'a, Cpu<T, A, C, R, I, S>>,
        me: Owner,
    ) -> MutexGuard<'a, Cpu<T, A, C, R, I, S>> {
        let cpu = if cpu.owner == me && !cpu.over {
            cpu
        } else {
            self.turn.notify_all();
            let (cpu, granted) = self.wait_for(cpu, me);
            if !granted {
                drop(cpu);
                std::panic::resume_unwind(Box::new(RunOver));
            }
            cpu
        };
        // The kernel may have ended this activation meanwhile (a protection reaction); the
        // CPU then came back for a new one, which starts over at the top of the thread loop.
        if let Owner::Ctx(context) = me {
            if cpu.kernel.incarnation(context) != INCARNATION.get() {
                drop(cpu);
                std::panic::resume_unwind(Box::new(Killed));
            }
        }
        cpu
    }

    fn context_thread(&'static self, me: Context) {
        let os = Os::new(self);
        let owner = Owner::Ctx(me);
        loop {
            let (mut cpu, granted) = self.wait_for(self.lock(), owner);
            if !granted {
                return;
            }
            let jitter = (xorshift(&mut cpu.host_rng) >> 61) as u32;
            INCARNATION.set(cpu.kernel.incarnation(me));
            drop(cpu);
            for _ in 0..jitter {
                thread::yield_now();
            }
            let outcome = match me {
                Context::Task(task) => {
                    let entry = self.config.tasks[task.index()].entry;
                    catch_unwind(AssertUnwindSafe(|| Some(entry(&os))))
                }
                Context::Isr(isr) => {
                    let entry = self.config.isrs[isr.index()].entry;
                    catch_unwind(AssertUnwindSafe(|| {
                        entry(&os);
                        None
                    }))
                }
            };
            if outcome
                .as_ref()
                .is_err_and(|payload| payload.is::<RunOver>())
            {
                return;
            }
            if outcome
                .as_ref()
                .is_err_and(|payload| payload.is::<Killed>())
            {
                // The kernel already ended this activation and chose what runs next.
                continue;
            }
            let why = outcome_message(&outcome);
            let mut cpu = self.lock();
            match (me, outcome) {
                (Context::Task(_), Ok(Some(Exit::Terminate))) => {
                    let _ = cpu.kernel.terminate_running();
                }
                (Context::Task(_), Ok(Some(Exit::Chain(next)))) => {
                    let _ = cpu.kernel.chain_running(next);
                }
                (Context::Isr(_), Ok(_)) => {
                    let _ = cpu.kernel.isr_return();
                }
                (_, Err(_)) => {
                    // A panic is the code's own fault: contained, reported to the protection
                    // hook as an exception, whose reaction the kernel takes.
                    let (kind, name) = match me {
                        Context::Task(t) => ("task", self.config.tasks[t.index()].name),
                        Context::Isr(i) => ("isr", self.config.isrs[i.index()].name),
                    };
                    let tick = cpu.kernel.elapsed_ticks();
                    cpu.outcome
                        .faults
                        .push(format!("fault: {kind} {name} panicked at tick {tick}{why}"));
                    cpu.kernel.protection(Error::ProtectionException, me);
                    // Reactions that leave it running (none should) still end this activation.
                    if cpu.kernel.current() == Some(me)
                        && cpu.kernel.incarnation(me) == INCARNATION.get()
                    {
                        let _ = match me {
                            Context::Task(_) => cpu.kernel.terminate_running(),
                            Context::Isr(_) => cpu.kernel.isr_return(),
                        };
                    }
                }
                (Context::Task(_), Ok(None)) => unreachable!("task bodies return an Exit"),
            }
            cpu.dispatch();
            self.turn.notify_all();
        }
    }
}

impl<
        const T: usize,
        const A: usize,
        const C: usize,
        const R: usize,
        const I: usize,
        const S: usize,
    > Syscalls for Machine<T, A, C, R, I, S>
{
    fn call(&self, words: [u32; 4], extra: [u32; 2]) -> Result<Reply, Error> {
        let mut cpu = self.lock();
        let me = cpu.owner;
        let now = cpu.now_ns;
        cpu.kernel.advance_time(now);
        cpu.sync_can();
        // Decoded as the boards' kernel entry decodes them.
        let result = match Request::from_words6(words, extra) {
            Some(request) => cpu.kernel.service(request),
            None => Err(cpu.kernel.unknown_service()),
        };
        cpu.flush_can();
        cpu.dispatch();
        // Preempted or blocked: the reply waits until the caller runs again.
        drop(self.yield_if_switched(cpu, me));
        result
    }

    fn busy(&self, ns: u64) -> Result<(), Error> {
        let mut cpu = self.lock();
        let me = cpu.owner;
        let mut remaining = ns;
        loop {
            let next = cpu.next_event_ns();
            if next > cpu.end_ns && cpu.now_ns + remaining > cpu.end_ns {
                // Time is up in the middle of this computation: the run ends here.
                cpu.now_ns = cpu.end_ns;
                cpu.over = true;
                self.turn.notify_all();
                drop(cpu);
                std::panic::resume_unwind(Box::new(RunOver));
            }
            if cpu.now_ns + remaining < next {
                cpu.now_ns += remaining;
                let now = cpu.now_ns;
                cpu.kernel.advance_time(now);
                cpu.dispatch();
                drop(self.yield_if_switched(cpu, me));
                return Ok(());
            }
            remaining -= next - cpu.now_ns;
            cpu.now_ns = next;
            cpu.process_events();
            cpu = self.yield_if_switched(cpu, me);
        }
    }
}

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// The tables do not match the kernel's sizes (a generator bug, not a user error).
    ConfigMismatch(String),
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::ConfigMismatch(what) => write!(f, "generated tables do not fit: {what}"),
        }
    }
}

/// Runs the kernel over `config` for `options.run_ticks` ticks, started in the default
/// application mode, and returns its trace.
pub fn run<
    const T: usize,
    const A: usize,
    const C: usize,
    const R: usize,
    const I: usize,
    const S: usize,
>(
    config: &'static Config,
    options: Options,
) -> Result<Outcome, SimError> {
    run_in_mode_with::<T, A, C, R, I, S>(config, options, ecu_os::AppModeId::new(0), |_| Ok(()))
}

/// As [`run`], with StartOS(`mode`); `setup` gets the kernel before StartOS (to attach IPC and
/// the policy).
pub fn run_in_mode_with<
    const T: usize,
    const A: usize,
    const C: usize,
    const R: usize,
    const I: usize,
    const S: usize,
>(
    config: &'static Config,
    options: Options,
    mode: ecu_os::AppModeId,
    setup: impl FnOnce(&mut Kernel<T, A, C, R, I, S>) -> Result<(), String>,
) -> Result<Outcome, SimError> {
    run_with_can::<T, A, C, R, I, S>(config, options, mode, setup, None).map(|(outcome, _)| outcome)
}

/// As [`run_in_mode_with`], with the image's CAN network (`can`) in the same virtual time:
/// tasks transmit and receive through the kernel's checks, the gateway routes, peers send.
/// Returns the network as it ended, for its traces and counters.
pub fn run_with_can<
    const T: usize,
    const A: usize,
    const C: usize,
    const R: usize,
    const I: usize,
    const S: usize,
>(
    config: &'static Config,
    options: Options,
    mode: ecu_os::AppModeId,
    setup: impl FnOnce(&mut Kernel<T, A, C, R, I, S>) -> Result<(), String>,
    can: Option<&'static can::ecu::CanSetup>,
) -> Result<(Outcome, Option<can::ecu::EcuCan>), SimError> {
    if mode.index() >= config.app_modes.len().max(1) {
        return Err(SimError::ConfigMismatch(format!(
            "no application mode {}",
            mode.index()
        )));
    }
    let mut kernel = Kernel::<T, A, C, R, I, S>::new(config)
        .map_err(|mismatch| SimError::ConfigMismatch(format!("{mismatch:?}")))?;
    setup(&mut kernel).map_err(SimError::ConfigMismatch)?;
    let network = match can {
        Some(setup) => {
            kernel.can_attach(setup.permissions);
            Some(can::ecu::EcuCan::new(setup, options.seed).map_err(SimError::ConfigMismatch)?)
        }
        None => None,
    };
    if let Some(bad) = options.stimuli.iter().find(|s| s.isr.index() >= I) {
        return Err(SimError::ConfigMismatch(format!(
            "stimulus for ISR {}",
            bad.isr.index()
        )));
    }
    let tick_ns = config.tick_ns.max(1) as u64;
    // One machine per run, alive for the threads' lifetime.
    let machine: &'static Machine<T, A, C, R, I, S> = Box::leak(Box::new(Machine {
        config,
        cpu: Mutex::new(Cpu {
            kernel,
            owner: Owner::Idle,
            over: false,
            outcome: Outcome::default(),
            now_ns: 0,
            end_ns: options.run_ticks.saturating_mul(tick_ns),
            tick_ns,
            arrivals: vec![u64::MAX; options.stimuli.len()],
            stimuli: options.stimuli,
            arrival_counts: vec![0; options.stimuli.len()],
            rng: options.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            host_rng: options.seed.wrapping_add(0x2545_F491) | 1,
            switches_this_tick: 0,
            can: network,
        }),
        turn: Condvar::new(),
    }));
    let contexts = (0..T)
        .map(|t| Context::Task(ecu_os::TaskId::new(t as u8)))
        .chain((0..I).map(|i| Context::Isr(IsrId::new(i as u8))));
    let threads: Vec<_> = contexts
        .map(|context| {
            let name = match context {
                Context::Task(t) => config.tasks[t.index()].name,
                Context::Isr(i) => config.isrs[i.index()].name,
            };
            thread::Builder::new()
                .name(name.to_owned())
                .spawn(move || machine.context_thread(context))
        })
        .collect::<Result<_, _>>()
        .map_err(|e| SimError::ConfigMismatch(format!("cannot start threads: {e}")))?;

    let mut cpu = machine.lock();
    for index in 0..options.stimuli.len() {
        cpu.schedule_arrival(index);
    }
    cpu.kernel.start_os_in(mode);
    cpu.dispatch();
    machine.turn.notify_all();
    loop {
        let (guard, running) = machine.wait_for(cpu, Owner::Idle);
        cpu = guard;
        if !running {
            break;
        }
        let next = cpu.next_event_ns();
        if next > cpu.end_ns {
            cpu.now_ns = cpu.end_ns;
            break;
        }
        cpu.now_ns = next;
        cpu.process_events();
        machine.turn.notify_all();
    }
    cpu.over = true;
    cpu.sync_can();
    cpu.drain_trace();
    let mut outcome = std::mem::take(&mut cpu.outcome);
    outcome.ticks = cpu.kernel.elapsed_ticks();
    outcome.end_ns = cpu.now_ns;
    let mut network = cpu.can.take();
    if let Some(network) = network.as_mut() {
        for (i, app) in config.apps.iter().enumerate() {
            let (denied, lost) = (cpu.kernel.can_denied(i), cpu.kernel.can_rx_overflow(i));
            network.partitions.push((app.name.to_owned(), denied, lost));
        }
    }
    drop(cpu);
    machine.turn.notify_all();
    // Threads at the top of their loop see the end and return; threads inside a service or
    // a busy period unwind out of their bodies. Either way every thread ends.
    for thread in threads {
        let _ = thread.join();
    }
    Ok((outcome, network))
}

/// The text a run prints: the trace, the faults, and the closing `end` line, the same shape
/// the boards print on their UART.
pub fn render(outcome: &Outcome) -> String {
    render_with(outcome, false)
}

/// As [`render`]; with `timestamps`, each trace line starts with its virtual time in ns.
pub fn render_with(outcome: &Outcome, timestamps: bool) -> String {
    let mut text = String::new();
    for (line, time) in outcome.trace.iter().zip(&outcome.times_ns) {
        if timestamps {
            let _ = write!(text, "{time:>12} ");
        }
        let _ = writeln!(text, "{line}");
    }
    for line in &outcome.faults {
        let _ = writeln!(text, "{line}");
    }
    let _ = writeln!(text, "end {}", outcome.ticks);
    text
}

/// Entry for generated simulation images: `--ticks N --seed S --mode M --timestamps`, prints
/// the trace. `setup` gets the kernel before StartOS (images attach IPC there). With a CAN
/// network (`can`), `--pcap DIR` and `--candump DIR` write every bus's traffic there
/// (`<bus>.pcap`, `<bus>.log`), and the run prints the gateway's and the buses' counters
/// (`can ...` lines) before its `end` line.
pub fn main<
    const T: usize,
    const A: usize,
    const C: usize,
    const R: usize,
    const I: usize,
    const S: usize,
>(
    config: &'static Config,
    stimuli: &'static [Stimulus],
    setup: fn(&mut Kernel<T, A, C, R, I, S>) -> Result<(), String>,
    can: Option<&'static can::ecu::CanSetup>,
) -> ! {
    let mut traces = can::ecu::TraceDirs::default();
    let mut options = Options {
        run_ticks: 100,
        seed: 0,
        stimuli,
    };
    let mut timestamps = false;
    let mut mode = 0u8;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--timestamps" {
            timestamps = true;
            continue;
        }
        if flag == "--pcap" || flag == "--candump" {
            let dir = args.next().map(std::path::PathBuf::from);
            if flag == "--pcap" {
                traces.pcap = dir;
            } else {
                traces.candump = dir;
            }
            continue;
        }
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--ticks", Some(v)) => options.run_ticks = v,
            ("--seed", Some(v)) => options.seed = v,
            ("--mode", Some(v)) if v < 32 => mode = v as u8,
            _ => {
                eprintln!("usage: <image> [--ticks N] [--seed S] [--mode M] [--timestamps]");
                std::process::exit(2);
            }
        }
    }
    match run_with_can::<T, A, C, R, I, S>(
        config,
        options,
        ecu_os::AppModeId::new(mode),
        setup,
        can,
    ) {
        Ok((mut outcome, network)) => {
            if let Some(network) = &network {
                // The counters print after the kernel's trace, before `end`.
                for line in network.summary() {
                    outcome.trace.push(line);
                    outcome.times_ns.push(outcome.end_ns);
                }
                if !can::ecu::write_traces_or_report(network, &traces) {
                    std::process::exit(3);
                }
            }
            print!("{}", render_with(&outcome, timestamps));
            let code = match (outcome.faults.is_empty(), outcome.shutdown) {
                (false, _) => 1,
                (true, Some(Some(error))) => 10 + error.code() as i32,
                _ => 0,
            };
            std::process::exit(code);
        }
        Err(error) => {
            eprintln!("simulation: {error}");
            std::process::exit(3);
        }
    }
}
