import { type CustomerMessages, list, v } from './types.ts';

export const sv: CustomerMessages = {
  causes: {
    sim_not_active: (f) =>
      `SIM-kortet är inte aktivt (status ${v(f.state)} sedan ${v(f.since)}), så nätet släpper inte in det. Aktivera det i portalen eller be oss göra det.`,
    test_allowance_used: (f) =>
      `SIM-kortet har förbrukat sin testkvot${f.usedMb === undefined ? '' : ` (${f.usedMb} av ${v(f.limitMb)} MB)`} i prisplanen ${v(f.plan)}, så dess trafik är stoppad. Aktivera SIM-kortet för att fortsätta.`,
    subscription_refused: (f) =>
      `Sedan ${v(f.since)} avvisar nätet SIM-kortets abonnemang (orsak ${v(f.cause)}), trots att kortet är aktivt hos oss. Vi skickar dess profil till nätet igen; inget behöver ändras i enheten.`,
    identity_rejected: (f) =>
      `Sedan ${v(f.since)} avvisar nätet SIM-kortets eller enhetens identitet (orsak ${v(f.cause)}). Kontrollera att SIM-kortet sitter i den enhet det hör till; vi undersöker saken.`,
    quota_exhausted: (f) =>
      `SIM-kortet har förbrukat sin datamängd (${v(f.usedMb)} av ${v(f.limitMb)} MB i prisplanen ${v(f.plan)}), så data är spärrad sedan ${v(f.since)}. Höj gränsen eller välj en prisplan med mer data för att fortsätta.`,
    sim_blocked_by_limit: (f) =>
      `Sedan ${v(f.since)} är data för det här SIM-kortet spärrad av dess användningsgräns. Höj eller ta bort gränsen för att fortsätta.`,
    data_not_in_plan: (f) =>
      `Planen ${v(f.plan)} innehåller ingen data, så enheten kan inte öppna datasessioner. Flytta SIM-kortet till en plan med data.`,
    plmn_not_allowed: (f) =>
      `Sedan ${v(f.since)} försöker enheten använda nätet ${v(f.network)}, som SIM-kortets plan ${v(f.plan)} inte omfattar, och avvisas. Låt enheten använda ett tillåtet nät, eller be oss lägga till det här.`,
    apn_typo: (f) =>
      `Enheten är inställd på APN:en ”${v(f.apn)}”, som inte finns: det ser ut som ett stavfel för ”${v(f.rightApn)}”. Ställ in APN:en ”${v(f.rightApn)}” i enheten (avvisad sedan ${v(f.since)}).`,
    apn_not_in_plan: (f) =>
      `Enheten är inställd på APN:en ”${v(f.apn)}”, som inte ingår i SIM-kortets plan (avvisad sedan ${v(f.since)}). Ställ in APN:en ${list(f.planApns, 'eller')} i enheten.`,
    roaming_partner_outage: (f) =>
      f.fleetWide
        ? `Partnernätet ${v(f.network)} har sedan ${v(f.since)} ett fel som berör flera kunder. Vi arbetar med det tillsammans med partnern; enheten kan använda ett annat nät under tiden.`
        : `Sedan ${v(f.since)} avvisar partnernätet ${v(f.network)} enheten (orsak ${v(f.cause)}), vilket tyder på ett fel i det nätet. Vi kontrollerar med partnern; enheten kan använda ett annat nät under tiden.`,
    network_outage: (f) =>
      f.fleetWide
        ? `Nätet ${v(f.network)} har sedan ${v(f.since)} ett fel som berör flera kunder. Vi arbetar med det; inget behöver ändras i enheten.`
        : `Sedan ${v(f.since)} avvisar nätet ${v(f.network)} enheten (orsak ${v(f.cause)}), vilket tyder på ett nätfel. Vi kontrollerar det.`,
    apn_gateway_outage: (f) =>
      f.fleetWide
        ? `Datagatewayen för APN:en ”${v(f.apn)}” har sedan ${v(f.since)} ett fel som berör flera kunder. Vi arbetar med det; sessionerna kommer tillbaka av sig själva när felet är åtgärdat.`
        : `Sedan ${v(f.since)} avvisar datagatewayen för APN:en ”${v(f.apn)}” sessioner (orsak ${v(f.cause)}), vilket tyder på ett fel i gatewayen. Vi kontrollerar det.`,
    registration_rejected: (f) =>
      `Sedan ${v(f.since)} avvisar nätet ${v(f.network)} enhetens registrering (orsak ${v(f.cause)}), medan det fungerar för andra enheter. Starta om enheten och kontrollera dess nätinställningar; vi återställer dess anslutning.`,
    session_rejected: (f) =>
      `Sedan ${v(f.since)} avvisas enhetens datasessioner på APN:en ”${v(f.apn)}” (orsak ${v(f.cause)}). Starta om enheten och kontrollera dess APN-inställningar (användarnamn, lösenord, IP-typ).`,
    unexplained: (f) =>
      `Sedan ${v(f.since)} avvisar nätet ${v(f.network)} enhetens ${f.attempt === 'session' ? 'datasessioner' : 'registrering'} (orsak ${v(f.cause)}). Inget vi ser förklarar det ännu: abonnemanget och SIM-kortet är i ordning, och ingen annan enhet använde det nätet att jämföra med. Vi undersöker saken.`,
    device_silent: (f) =>
      `Enheten har inte kontaktat nätet sedan ${v(f.lastSeen)} (${v(f.silentHours)} timmar), längre än vanligt. Kontrollera strömmen och antennen och starta om den.`,
    service_not_in_plan: (f) =>
      f.service === 'voice'
        ? `Enheten ringer samtal, men tal ingår inte i planen ${v(f.plan)}. Lägg till tal i planen, eller stoppa enhetens samtal.`
        : `Enheten skickar eller tar emot sms, men sms ingår inte i planen ${v(f.plan)}. Lägg till sms i planen, eller stäng av sms i enheten.`,
    imei_changed: (f) =>
      `SIM-kortet flyttades till en annan enhet ${v(f.since)} (IMEI ${v(f.newImei)}, tidigare ${v(f.oldImei)}). Om det inte var meningen, hör av dig till oss omedelbart.${f.imeiLocked ? ` Det är låst till IMEI ${v(f.oldImei)}, så nätet avvisar det i den nya enheten: sätt tillbaka det, eller be oss flytta låset till den nya enheten.` : ''}`,
    healthy: (f) =>
      `SIM-kortet fungerar normalt: senaste kontakt ${v(f.lastSeen)}${f.network ? ` via ${f.network}` : ''}.`,
    no_events_yet: () =>
      'Vi har ännu inte tagit emot någon nätaktivitet för det här SIM-kortet. Det dyker upp här så snart enheten slås på med SIM-kortet isatt.',
  },
  recovered: 'Under tiden fungerar enheten igen.',
};
