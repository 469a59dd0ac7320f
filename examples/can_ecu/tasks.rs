//! Task bodies of the door ECU: signals read and written only through the generated
//! accessors of `can::frames` (no bit arithmetic by hand).

use ecu_os::{Exit, Os};

use crate::can;
use crate::can::frames::{door_status, vehicle_speed};

/// Every DoorStatus frame received since the last run is answered with a VehicleSpeed frame:
/// while the door is open, the speed is the door temperature + 50 (km/h; a stand-in for a
/// real computation), otherwise 0.
pub fn door_logic(os: &Os) -> Exit {
    while let Ok(Some(frame)) = os.can_receive(can::BODY) {
        let Some(door) = door_status::Pdu::from_frame(&frame) else {
            continue;
        };
        let mut answer = vehicle_speed::Pdu::default();
        let speed = if door.door_open_raw() == 1 {
            door.door_temp() + 50.0
        } else {
            0.0
        };
        if answer.set_speed(speed).is_ok() {
            if let Some(out) = answer.to_frame() {
                let _ = os.can_transmit(can::BODY, &out);
            }
        }
    }
    os.terminate_task()
}
