import { type CustomerMessages, list, v } from './types.ts';

export const de: CustomerMessages = {
  causes: {
    sim_not_active: (f) =>
      `Die SIM ist nicht aktiv (Status ${v(f.state)} seit ${v(f.since)}), daher lässt das Netz sie nicht verbinden. Aktivieren Sie sie im Portal oder beauftragen Sie uns damit.`,
    test_allowance_used: (f) =>
      `Die SIM hat ihr Testkontingent${f.usedMb === undefined ? '' : ` (${f.usedMb} von ${v(f.limitMb)} MB)`} im Tarif ${v(f.plan)} aufgebraucht, daher ist ihr Verkehr gesperrt. Aktivieren Sie die SIM, um fortzufahren.`,
    subscription_refused: (f) =>
      `Seit ${v(f.since)} lehnt das Netz das Abonnement der SIM ab (Ursache ${v(f.cause)}), obwohl sie bei uns aktiv ist. Wir senden ihr Profil erneut an das Netz; am Gerät muss nichts geändert werden.`,
    identity_rejected: (f) =>
      `Seit ${v(f.since)} lehnt das Netz die Identität der SIM oder des Geräts ab (Ursache ${v(f.cause)}). Bitte prüfen Sie, ob die SIM im vorgesehenen Gerät steckt; wir untersuchen das.`,
    quota_exhausted: (f) =>
      `Die SIM hat ihr Datenvolumen verbraucht (${v(f.usedMb)} von ${v(f.limitMb)} MB im Tarif ${v(f.plan)}), daher sind Daten seit ${v(f.since)} gesperrt. Erhöhen Sie das Limit oder wählen Sie einen Tarif mit mehr Daten.`,
    sim_blocked_by_limit: (f) =>
      `Seit ${v(f.since)} sind Daten für diese SIM durch ihr Nutzungslimit gesperrt. Erhöhen oder entfernen Sie das Limit, um fortzufahren.`,
    data_not_in_plan: (f) =>
      `Der Plan ${v(f.plan)} enthält keine Daten, daher kann das Gerät keine Datenverbindung aufbauen. Stellen Sie die SIM auf einen Plan mit Daten um.`,
    plmn_not_allowed: (f) =>
      `Seit ${v(f.since)} versucht das Gerät, das Netz ${v(f.network)} zu nutzen, das der Plan ${v(f.plan)} der SIM nicht enthält, und wird abgewiesen. Lassen Sie das Gerät ein erlaubtes Netz nutzen oder bitten Sie uns, dieses hinzuzufügen.`,
    apn_typo: (f) =>
      `Im Gerät ist der APN „${v(f.apn)}“ eingestellt, den es nicht gibt: offenbar ein Tippfehler für „${v(f.rightApn)}“. Bitte stellen Sie im Gerät den APN „${v(f.rightApn)}“ ein (abgewiesen seit ${v(f.since)}).`,
    apn_not_in_plan: (f) =>
      `Im Gerät ist der APN „${v(f.apn)}“ eingestellt, der nicht zum Plan der SIM gehört (abgewiesen seit ${v(f.since)}). Bitte stellen Sie im Gerät ${list(f.planApns, 'oder')} ein.`,
    roaming_partner_outage: (f) =>
      f.fleetWide
        ? `Das Partnernetz ${v(f.network)} hat seit ${v(f.since)} eine Störung, die mehrere Kunden betrifft. Wir arbeiten mit dem Partner daran; das Gerät kann bis dahin ein anderes Netz nutzen.`
        : `Seit ${v(f.since)} weist das Partnernetz ${v(f.network)} das Gerät ab (Ursache ${v(f.cause)}), was auf eine Störung in diesem Netz hindeutet. Wir klären das mit dem Partner; das Gerät kann bis dahin ein anderes Netz nutzen.`,
    network_outage: (f) =>
      f.fleetWide
        ? `Das Netz ${v(f.network)} hat seit ${v(f.since)} eine Störung, die mehrere Kunden betrifft. Wir arbeiten daran; am Gerät muss nichts geändert werden.`
        : `Seit ${v(f.since)} weist das Netz ${v(f.network)} das Gerät ab (Ursache ${v(f.cause)}), was auf eine Netzstörung hindeutet. Wir prüfen das.`,
    apn_gateway_outage: (f) =>
      f.fleetWide
        ? `Das Daten-Gateway für den APN „${v(f.apn)}“ hat seit ${v(f.since)} eine Störung, die mehrere Kunden betrifft. Wir arbeiten daran; die Verbindungen kommen nach der Behebung von selbst zurück.`
        : `Seit ${v(f.since)} lehnt das Daten-Gateway für den APN „${v(f.apn)}“ Verbindungen ab (Ursache ${v(f.cause)}), was auf eine Gateway-Störung hindeutet. Wir prüfen das.`,
    registration_rejected: (f) =>
      `Seit ${v(f.since)} lehnt das Netz ${v(f.network)} die Anmeldung des Geräts ab (Ursache ${v(f.cause)}), während es für andere Geräte funktioniert. Bitte starten Sie das Gerät neu und prüfen Sie seine Netzeinstellungen; wir setzen seine Verbindung zurück.`,
    session_rejected: (f) =>
      `Seit ${v(f.since)} werden die Datenverbindungen des Geräts über den APN „${v(f.apn)}“ abgelehnt (Ursache ${v(f.cause)}). Bitte starten Sie das Gerät neu und prüfen Sie seine APN-Einstellungen (Benutzername, Passwort, IP-Typ).`,
    unexplained: (f) =>
      `Seit ${v(f.since)} weist das Netz ${v(f.network)} ${f.attempt === 'session' ? 'die Datenverbindungen' : 'die Anmeldung'} des Geräts ab (Ursache ${v(f.cause)}). Nichts, was wir sehen, erklärt das bisher: Tarif und SIM sind in Ordnung, und kein anderes Gerät nutzte dieses Netz zum Vergleich. Wir gehen der Sache nach.`,
    device_silent: (f) =>
      `Das Gerät hat sich seit ${v(f.lastSeen)} (${v(f.silentHours)} Stunden) nicht mehr beim Netz gemeldet, länger als üblich. Bitte prüfen Sie Stromversorgung und Antenne und starten Sie es neu.`,
    service_not_in_plan: (f) =>
      f.service === 'voice'
        ? `Das Gerät telefoniert, aber Sprache ist nicht Teil des Plans ${v(f.plan)}. Nehmen Sie Sprache in den Plan auf oder unterbinden Sie die Anrufe des Geräts.`
        : `Das Gerät sendet oder empfängt SMS, aber SMS sind nicht Teil des Plans ${v(f.plan)}. Nehmen Sie SMS in den Plan auf oder schalten Sie SMS im Gerät ab.`,
    imei_changed: (f) =>
      `Die SIM steckt seit ${v(f.since)} in einem anderen Gerät (IMEI ${v(f.newImei)}, vorher ${v(f.oldImei)}). Falls das nicht beabsichtigt war, melden Sie sich bitte sofort.${f.imeiLocked ? ` Sie ist an IMEI ${v(f.oldImei)} gebunden, daher weist das Netz sie im neuen Gerät ab: Setzen Sie sie zurück oder bitten Sie uns, die Bindung auf das neue Gerät zu übertragen.` : ''}`,
    healthy: (f) =>
      `Die SIM funktioniert normal: letzter Kontakt ${v(f.lastSeen)}${f.network ? ` über ${f.network}` : ''}.`,
    no_events_yet: () =>
      'Für diese SIM haben wir noch keine Netzaktivität erhalten. Sobald das Gerät mit eingelegter SIM eingeschaltet ist, erscheint sie hier.',
  },
  recovered: 'Inzwischen funktioniert das Gerät wieder.',
};
