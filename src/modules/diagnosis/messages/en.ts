import { type CustomerMessages, list, v } from './types.ts';

export const en: CustomerMessages = {
  causes: {
    sim_not_active: (f) =>
      `The SIM is not active (state ${v(f.state)} since ${v(f.since)}), so the network does not let it connect. Activate it in the portal or ask us to.`,
    test_allowance_used: (f) =>
      `The SIM has used up its test allowance${f.usedMb === undefined ? '' : ` (${f.usedMb} of ${v(f.limitMb)} MB)`} in rate plan ${v(f.plan)}, so its traffic is stopped. Activate the SIM to continue.`,
    subscription_refused: (f) =>
      `Since ${v(f.since)} the network refuses the SIM's subscription (cause ${v(f.cause)}), although the SIM is active on our side. We are sending its profile to the network again; nothing needs to change on the device.`,
    identity_rejected: (f) =>
      `Since ${v(f.since)} the network refuses the identity of the SIM or of the device (cause ${v(f.cause)}). Please check that the SIM is in the device it belongs to; we are investigating.`,
    quota_exhausted: (f) =>
      `The SIM has used its data allowance (${v(f.usedMb)} of ${v(f.limitMb)} MB in rate plan ${v(f.plan)}), so data is blocked since ${v(f.since)}. Raise the limit or choose a rate plan with more data to resume.`,
    sim_blocked_by_limit: (f) =>
      `Since ${v(f.since)} data for this SIM is blocked by its usage limit. Raise or lift the limit to resume.`,
    data_not_in_plan: (f) =>
      `The plan ${v(f.plan)} does not include data, so the device cannot open data sessions. Move the SIM to a plan with data.`,
    plmn_not_allowed: (f) =>
      `Since ${v(f.since)} the device tries to use the network ${v(f.network)}, which the SIM's plan ${v(f.plan)} does not include, and is refused. Let the device use an allowed network, or ask us to add this one.`,
    apn_typo: (f) =>
      `The device is set to the APN "${v(f.apn)}", which does not exist: it looks like a typo of "${v(f.rightApn)}". Please set the APN on the device to "${v(f.rightApn)}" (refused since ${v(f.since)}).`,
    apn_not_in_plan: (f) =>
      `The device is set to the APN "${v(f.apn)}", which is not part of the SIM's plan (refused since ${v(f.since)}). Please set the APN on the device to ${list(f.planApns, 'or')}.`,
    roaming_partner_outage: (f) =>
      f.fleetWide
        ? `The partner network ${v(f.network)} has a problem affecting several customers since ${v(f.since)}. We are working on it with the partner; the device can use another network meanwhile.`
        : `Since ${v(f.since)} the partner network ${v(f.network)} refuses the device (cause ${v(f.cause)}), which points at a problem on that network. We are checking with the partner; the device can use another network meanwhile.`,
    network_outage: (f) =>
      f.fleetWide
        ? `The network ${v(f.network)} has a problem affecting several customers since ${v(f.since)}. We are working on it; nothing needs to change on the device.`
        : `Since ${v(f.since)} the network ${v(f.network)} refuses the device (cause ${v(f.cause)}), which points at a network problem. We are checking it.`,
    apn_gateway_outage: (f) =>
      f.fleetWide
        ? `The data gateway for the APN "${v(f.apn)}" has a problem affecting several customers since ${v(f.since)}. We are working on it; sessions resume by themselves once it is fixed.`
        : `Since ${v(f.since)} the data gateway for the APN "${v(f.apn)}" refuses sessions (cause ${v(f.cause)}), which points at a gateway problem. We are checking it.`,
    registration_rejected: (f) =>
      `Since ${v(f.since)} the network ${v(f.network)} refuses the device's registration (cause ${v(f.cause)}), while it works for other devices. Please restart the device and check its network settings; we are resetting its connection.`,
    session_rejected: (f) =>
      `Since ${v(f.since)} the device's data sessions on the APN "${v(f.apn)}" are refused (cause ${v(f.cause)}). Please restart the device and check its APN settings (user name, password, IP type).`,
    unexplained: (f) =>
      `Since ${v(f.since)} the network ${v(f.network)} refuses the device's ${f.attempt === 'session' ? 'data sessions' : 'registration'} (cause ${v(f.cause)}). Nothing we can see explains it yet: the plan and the SIM are in order, and no other device was using that network to compare with. We are looking into it.`,
    device_silent: (f) =>
      `The device has not contacted the network since ${v(f.lastSeen)} (${v(f.silentHours)} hours), longer than usual. Please check that it has power and its antenna, and restart it.`,
    service_not_in_plan: (f) =>
      f.service === 'voice'
        ? `The device makes calls, but voice is not part of the plan ${v(f.plan)}. Add voice to the plan, or stop the device calling.`
        : `The device sends or receives SMS, but SMS is not part of the plan ${v(f.plan)}. Add SMS to the plan, or switch SMS off on the device.`,
    imei_changed: (f) =>
      `The SIM moved to another device on ${v(f.since)} (IMEI ${v(f.newImei)}, before ${v(f.oldImei)}). If this was not intended, tell us at once.${f.imeiLocked ? ` It is locked to IMEI ${v(f.oldImei)}, so the network refuses it in the new device: put it back, or ask us to move the lock to the new device.` : ''}`,
    healthy: (f) => `The SIM works normally: last contact ${v(f.lastSeen)}${f.network ? ` on ${f.network}` : ''}.`,
    no_events_yet: () =>
      'We have not received any network activity for this SIM yet. Once the device is switched on with the SIM inside, it will show up here.',
  },
  recovered: 'Meanwhile the device works again.',
};
