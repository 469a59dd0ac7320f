//! The kernel's CAN services on the host port with hand-written tables: tasks transmit
//! through the permission check, the network runs in the kernel's virtual time, the gateway
//! routes a peer's frame, and a partition receives what its grants let through.

use std::sync::atomic::{AtomicU8, Ordering};

use ecu_com::gateway::{BusMask, LengthRule, Route, RouteTable, Slot};
use ecu_com::permission::{Grant, PartitionGrants, PermissionTable};
use ecu_com::{BusId, CanFrame, CanId, IdFilter};
use ecu_os::{
    AlarmAction, AlarmConfig, AppConfig, AppId, Config, CounterConfig, CounterId, Error, Exit, Os,
    TaskConfig, TaskId,
};
use ecu_sim::can::ecu::{BusSpec, CanSetup, PeerKind, PeerSpec, ScriptedFrame};
use ecu_sim::{run_with_can, Options};

const fn sid(id: u16) -> CanId {
    match CanId::standard(id) {
        Some(id) => id,
        None => panic!("standard id"),
    }
}

fn frame(id: u16, data: &[u8]) -> CanFrame {
    CanFrame::data(sid(id), data).unwrap()
}

static RECEIVED: AtomicU8 = AtomicU8::new(0);

/// Sender: its grant goes out, another id does not.
fn sender(os: &Os) -> Exit {
    assert_eq!(os.can_transmit(BusId(0), &frame(0x100, &[1])), Ok(()));
    assert_eq!(
        os.can_transmit(BusId(0), &frame(0x200, &[2])),
        Err(Error::Access)
    );
    assert_eq!(
        os.can_transmit(BusId(1), &frame(0x100, &[3])),
        Err(Error::Access),
        "granted on bus 0 only"
    );
    os.terminate_task()
}

/// Receiver (same partition): polls bus 1 and answers with what it got.
fn receiver(os: &Os) -> Exit {
    while let Some(f) = os.can_receive(BusId(1)).unwrap() {
        assert_eq!(f.can_id(), sid(0x300));
        let data = ecu_com::embedded_can::Frame::data(&f)[0];
        RECEIVED.store(data, Ordering::Relaxed);
        os.can_transmit(BusId(0), &frame(0x100, &[data])).unwrap();
    }
    os.terminate_task()
}

/// Other partition: no grant at all, and it sees nothing.
fn other(os: &Os) -> Exit {
    assert_eq!(
        os.can_transmit(BusId(0), &frame(0x100, &[4])),
        Err(Error::Access)
    );
    assert_eq!(os.can_receive(BusId(1)), Ok(None));
    os.terminate_task()
}

static APPS: [AppConfig; 2] = [
    AppConfig {
        name: "Trusted",
        trusted: true,
        restart_task: None,
        hooks: ecu_os::AppHooks::NONE,
    },
    AppConfig {
        name: "Other",
        trusted: false,
        restart_task: None,
        hooks: ecu_os::AppHooks::NONE,
    },
];
static COUNTERS: [CounterConfig; 1] = [CounterConfig {
    name: "Tick",
    max_allowed_value: 1000,
    ticks_per_base: 1,
    min_cycle: 1,
}];
static TASKS: [TaskConfig; 3] = [
    TaskConfig {
        autostart: true,
        ..TaskConfig::basic("Sender", AppId::new(0), 3, sender)
    },
    TaskConfig::basic("Receiver", AppId::new(0), 2, receiver),
    TaskConfig {
        autostart: true,
        ..TaskConfig::basic("Other", AppId::new(1), 1, other)
    },
];
static ALARMS: [AlarmConfig; 2] = [
    AlarmConfig {
        name: "Poll",
        app: AppId::new(0),
        access: 0,
        counter: CounterId::new(0),
        action: AlarmAction::ActivateTask(TaskId::new(1)),
        autostart: Some((1, 1)),
        autostart_modes: ecu_os::ALL_MODES,
    },
    AlarmConfig {
        name: "OtherAgain",
        app: AppId::new(1),
        access: 0,
        counter: CounterId::new(0),
        action: AlarmAction::ActivateTask(TaskId::new(2)),
        autostart: Some((2, 2)),
        autostart_modes: ecu_os::ALL_MODES,
    },
];
static CONFIG: Config = Config {
    name: "CanTest",
    apps: &APPS,
    tasks: &TASKS,
    counters: &COUNTERS,
    alarms: &ALARMS,
    resources: &[],
    isrs: &[],
    schedule_tables: &[],
    trusted_functions: &[],
    app_modes: &["Default"],
    hooks: ecu_os::Hooks::NONE,
    events: &[],
    system_counter: CounterId::new(0),
    tick_ns: 1_000_000,
};

static TX: [Grant; 1] = [Grant {
    buses: BusMask(0b01),
    filter: IdFilter::exact(sid(0x100)),
}];
static RX: [Grant; 1] = [Grant {
    buses: BusMask(0b10),
    filter: IdFilter::exact(sid(0x300)),
}];
static PERMISSIONS: PermissionTable<'static> = PermissionTable {
    partitions: &[
        PartitionGrants {
            name: "Trusted",
            transmit: &TX,
            receive: &RX,
        },
        PartitionGrants {
            name: "Other",
            transmit: &[],
            receive: &[],
        },
    ],
};
// 0x300..=0x30F from bus 1 to bus 0 as 0x301 (a masked route: no hash slots needed).
static ROUTES: [Route<'static>; 1] = [Route {
    name: "up",
    source: BusId(1),
    filter: IdFilter::new(sid(0x300), 0x7F0),
    destinations: BusMask(0b01),
    translate: Some(sid(0x301)),
    length: LengthRule::ANY_CLASSIC,
    rate: None,
    min_cycle_ns: 0,
}];
static TABLE: RouteTable<'static> = RouteTable {
    routes: &ROUTES,
    slots: &[Slot::EMPTY],
    slot_bits: 0,
    seed: 0,
    max_probe: 0,
    mask_routes: &[0],
};
static PEER_FRAMES: [ScriptedFrame; 2] = [
    ScriptedFrame {
        at_ns: 300_000,
        id: 0x300,
        data: &[0x42],
    },
    ScriptedFrame {
        at_ns: 2_500_000,
        id: 0x300,
        data: &[0x43],
    },
];
static FILTERS_0: [IdFilter; 0] = [];
static FILTERS_1: [IdFilter; 1] = [IdFilter::new(sid(0x300), 0x7F0)];
static SETUP: CanSetup = CanSetup {
    buses: &[
        BusSpec {
            name: "can0",
            bitrate: 500_000,
            data_bitrate: 0,
        },
        BusSpec {
            name: "can1",
            bitrate: 500_000,
            data_bitrate: 0,
        },
    ],
    routes: &TABLE,
    permissions: &PERMISSIONS,
    filters: &[&FILTERS_0, &FILTERS_1],
    peers: &[PeerSpec {
        name: "peer",
        bus: 1,
        kind: PeerKind::Frames(&PEER_FRAMES),
    }],
    faults: &[],
};

#[test]
fn transmit_is_checked_received_frames_reach_the_granted_partition_and_the_gateway_routes() {
    let (outcome, network) = run_with_can::<3, 2, 1, 0, 0, 0>(
        &CONFIG,
        Options {
            run_ticks: 5,
            seed: 3,
            stimuli: &[],
        },
        ecu_os::AppModeId::new(0),
        |_| Ok(()),
        Some(&SETUP),
    )
    .unwrap();
    assert!(outcome.faults.is_empty(), "{:?}", outcome.faults);
    let denied = outcome
        .trace
        .iter()
        .filter(|l| l.contains("error") && l.contains("E_OS_ACCESS"))
        .count();
    // Sender: 2; Other at ticks 0, 2, 4: 3.
    assert_eq!(denied, 5, "{:#?}", outcome.trace);
    assert!(outcome
        .trace
        .iter()
        .any(|l| l.ends_with("error     CanTransmit(bus0:0x200) E_OS_ACCESS")));
    let network = network.unwrap();
    let bus0: Vec<(u32, Vec<u8>)> = network
        .net
        .trace()
        .iter()
        .filter(|e| e.bus == BusId(0))
        .map(|e| (e.frame.can_id().raw(), e.frame.data().to_vec()))
        .collect();
    // Sender's frame at once; the peer's 0x300 routed as 0x301; the receiver's answers at
    // the ticks after each.
    assert_eq!(
        bus0,
        [
            (0x100, vec![1]),
            (0x301, vec![0x42]),
            (0x100, vec![0x42]),
            (0x301, vec![0x43]),
            (0x100, vec![0x43]),
        ]
    );
    assert_eq!(RECEIVED.load(Ordering::Relaxed), 0x43);
    assert_eq!(network.partitions[0], ("Trusted".into(), 2, 0));
    assert_eq!(network.partitions[1], ("Other".into(), 3, 0));
}
