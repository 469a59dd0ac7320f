//! The host simulation: the real kernel core on a host port.
//!
//! Each task is a host thread, but only the thread holding the simulated CPU runs: the kernel's
//! dispatch decision passes the CPU from thread to thread, so the interleaving is the kernel's,
//! never the host scheduler's. Time is virtual: ticks advance when the CPU is idle (task bodies
//! take no simulated time yet), so a run is a pure function of the configuration.
//!
//! The seed perturbs the host side only (how long each thread dawdles before taking the CPU):
//! the trace must not change with it, which the tests check.

use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;

use ecu_os::{Config, Dispatch, Error, Exit, Kernel, Os, Reply, Request, Syscalls};

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Run until this many ticks of the system counter have elapsed and the CPU is idle.
    pub run_ticks: u64,
    pub seed: u64,
}

/// What a run produced: the kernel trace as text lines, and faults the port contained.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub trace: Vec<String>,
    pub faults: Vec<String>,
    pub ticks: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Idle,
    Task(usize),
}

struct Cpu<const T: usize, const A: usize, const C: usize, const R: usize> {
    kernel: Kernel<T, A, C, R>,
    owner: Owner,
    shutdown: bool,
    outcome: Outcome,
    rng: u64,
    switches_this_tick: u32,
}

/// More task switches than this within one tick, with task bodies taking no simulated time,
/// can only be a livelock (tasks re-activating each other): the run stops with a fault instead
/// of growing its trace without bound.
pub const MAX_SWITCHES_PER_TICK: u32 = 100_000;

struct Machine<const T: usize, const A: usize, const C: usize, const R: usize> {
    config: &'static Config,
    cpu: Mutex<Cpu<T, A, C, R>>,
    turn: Condvar,
}

impl<const T: usize, const A: usize, const C: usize, const R: usize> Cpu<T, A, C, R> {
    fn drain_trace(&mut self) {
        let config = self.kernel.config();
        while let Some(record) = self.kernel.trace_pop() {
            let mut line = String::new();
            // Writing into a String cannot fail.
            let _ = record.write(config, &mut line);
            self.outcome.trace.push(line);
        }
        let lost = self.kernel.trace_take_lost();
        if lost > 0 {
            self.outcome
                .faults
                .push(format!("trace: {lost} records lost"));
        }
    }

    fn dispatch(&mut self) {
        match self.kernel.dispatch() {
            Dispatch::Keep => {}
            Dispatch::Switch { to, .. } => {
                self.owner = Owner::Task(to.index());
                self.switches_this_tick += 1;
                if self.switches_this_tick > MAX_SWITCHES_PER_TICK && !self.shutdown {
                    let tick = self.kernel.elapsed_ticks();
                    self.outcome.faults.push(format!(
                        "fault: livelock at tick {tick}: over {MAX_SWITCHES_PER_TICK} task \
                         switches without the CPU going idle"
                    ));
                    self.shutdown = true;
                }
            }
            Dispatch::Idle => self.owner = Owner::Idle,
        }
        self.drain_trace();
    }

    /// xorshift64*: host-side jitter only.
    fn next_jitter(&mut self) -> u32 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 61) as u32
    }
}

impl<const T: usize, const A: usize, const C: usize, const R: usize> Machine<T, A, C, R> {
    fn lock(&self) -> MutexGuard<'_, Cpu<T, A, C, R>> {
        // A poisoned lock means a task thread panicked while holding the CPU; the state is
        // still consistent because every kernel call completes before user code runs.
        self.cpu
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Blocks until `me` holds the CPU (or the run is over: returns false).
    fn wait_for<'a>(
        &'a self,
        mut cpu: MutexGuard<'a, Cpu<T, A, C, R>>,
        me: Owner,
    ) -> (MutexGuard<'a, Cpu<T, A, C, R>>, bool) {
        while cpu.owner != me && !cpu.shutdown {
            cpu = self.turn.wait(cpu).unwrap_or_else(|p| p.into_inner());
        }
        let granted = !cpu.shutdown;
        (cpu, granted)
    }

    fn task_thread(&'static self, index: usize) {
        let os = Os::new(self);
        let me = Owner::Task(index);
        loop {
            let (mut cpu, granted) = self.wait_for(self.lock(), me);
            if !granted {
                return;
            }
            let jitter = cpu.next_jitter();
            drop(cpu);
            for _ in 0..jitter {
                thread::yield_now();
            }
            let entry = self.config.tasks[index].entry;
            let exit = catch_unwind(AssertUnwindSafe(|| entry(&os)));
            if exit.as_ref().is_err_and(|payload| payload.is::<RunOver>()) {
                return;
            }
            let mut cpu = self.lock();
            match exit {
                Ok(Exit::Terminate) => {
                    let _ = cpu.kernel.terminate_running();
                }
                Ok(Exit::Chain(next)) => {
                    let _ = cpu.kernel.chain_running(next);
                }
                Err(_) => {
                    // Contained: the task ends, the others keep their schedule. The protection
                    // hook takes this over when it exists.
                    let name = self.config.tasks[index].name;
                    let tick = cpu.kernel.elapsed_ticks();
                    cpu.outcome
                        .faults
                        .push(format!("fault: task {name} panicked at tick {tick}"));
                    let _ = cpu.kernel.terminate_running();
                }
            }
            cpu.dispatch();
            self.turn.notify_all();
        }
    }
}

impl<const T: usize, const A: usize, const C: usize, const R: usize> Syscalls
    for Machine<T, A, C, R>
{
    fn call(&self, request: Request) -> Result<Reply, Error> {
        let mut cpu = self.lock();
        let me = cpu.owner;
        let result = cpu.kernel.service(request);
        cpu.dispatch();
        if cpu.owner != me {
            // Preempted or blocked: hand the CPU over and wait until the kernel gives it back.
            self.turn.notify_all();
            let (_cpu, granted) = self.wait_for(cpu, me);
            if !granted {
                // The run ended while this task was preempted or waiting: unwind out of its
                // body (no hook, no message) so that its thread ends.
                drop(_cpu);
                std::panic::resume_unwind(Box::new(RunOver));
            }
        }
        result
    }
}

/// The unwinding payload that ends a task thread whose run is over.
struct RunOver;

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

/// Runs the kernel over `config` for `options.run_ticks` ticks and returns its trace.
pub fn run<const T: usize, const A: usize, const C: usize, const R: usize>(
    config: &'static Config,
    options: Options,
) -> Result<Outcome, SimError> {
    let kernel = Kernel::<T, A, C, R>::new(config)
        .map_err(|mismatch| SimError::ConfigMismatch(format!("{mismatch:?}")))?;
    // One machine per run, alive for the task threads' lifetime: preempted threads of a run
    // that ended stay parked on it.
    let machine: &'static Machine<T, A, C, R> = Box::leak(Box::new(Machine {
        config,
        cpu: Mutex::new(Cpu {
            kernel,
            owner: Owner::Idle,
            shutdown: false,
            outcome: Outcome::default(),
            rng: options.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            switches_this_tick: 0,
        }),
        turn: Condvar::new(),
    }));
    let threads: Vec<_> = (0..T)
        .map(|index| {
            thread::Builder::new()
                .name(config.tasks[index].name.to_owned())
                .spawn(move || machine.task_thread(index))
        })
        .collect::<Result<_, _>>()
        .map_err(|e| SimError::ConfigMismatch(format!("cannot start task threads: {e}")))?;

    let mut cpu = machine.lock();
    cpu.kernel.start_os();
    cpu.dispatch();
    machine.turn.notify_all();
    loop {
        let (guard, running) = machine.wait_for(cpu, Owner::Idle);
        cpu = guard;
        if !running || cpu.kernel.elapsed_ticks() >= options.run_ticks {
            break;
        }
        cpu.switches_this_tick = 0;
        cpu.kernel.tick();
        cpu.dispatch();
        machine.turn.notify_all();
    }
    cpu.shutdown = true;
    let mut outcome = std::mem::take(&mut cpu.outcome);
    outcome.ticks = cpu.kernel.elapsed_ticks();
    drop(cpu);
    machine.turn.notify_all();
    // After a normal end the CPU is idle: every started task has run to completion, so every
    // thread is back at the top of its loop and ends. After a livelock fault, threads caught
    // inside a service stay parked on the leaked machine: they are not joined.
    if outcome
        .faults
        .iter()
        .all(|f| !f.starts_with("fault: livelock"))
    {
        for thread in threads {
            let _ = thread.join();
        }
    }
    Ok(outcome)
}

/// The text a run prints: the trace, the faults, and the closing `end` line, the same shape
/// the boards print on their UART.
pub fn render(outcome: &Outcome) -> String {
    let mut text = String::new();
    for line in outcome.trace.iter().chain(outcome.faults.iter()) {
        let _ = writeln!(text, "{line}");
    }
    let _ = writeln!(text, "end {}", outcome.ticks);
    text
}

/// Entry for generated simulation images: `--ticks N --seed S`, prints the trace.
pub fn main<const T: usize, const A: usize, const C: usize, const R: usize>(
    config: &'static Config,
) -> ! {
    let mut options = Options {
        run_ticks: 100,
        seed: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--ticks", Some(v)) => options.run_ticks = v,
            ("--seed", Some(v)) => options.seed = v,
            _ => {
                eprintln!("usage: <image> [--ticks N] [--seed S]");
                std::process::exit(2);
            }
        }
    }
    match run::<T, A, C, R>(config, options) {
        Ok(outcome) => {
            print!("{}", render(&outcome));
            std::process::exit(if outcome.faults.is_empty() { 0 } else { 1 });
        }
        Err(error) => {
            eprintln!("simulation: {error}");
            std::process::exit(3);
        }
    }
}
