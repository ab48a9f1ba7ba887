/**
 * The portal's alarms (issue 17, point 6: a customer's own SIMs' and devices' alarms,
 * web/src/portal/PortalAlarmsPage.tsx and the SIM page's card) in the six languages; portal.ts merges these, so
 * test/i18n-portal.test.ts checks every key in every language. `{name}` marks a value the screen fills in (fillIn in
 * portal/alarm-text.ts). The cause label of a refusal ("27 Missing or unknown APN") and a device's metric name
 * (temperature_c) stay as written.
 */
export const portalAlarmsEn = {
  'portal.alarms.title': 'Alarms',
  'portal.alarms.intro':
    'What our monitoring noticed on your SIMs and devices: a SIM silent for longer than its usual rhythm allows, one the network keeps refusing, one carrying much less data than usual for the time of the week, or one whose daily data volume drifts away from its usual; a device whose measurement stays beyond its limit. An alarm ends by itself once the SIM or device is back to normal.',
  'portal.alarms.which': 'Which alarms',
  'portal.alarms.col.severity': 'Severity',
  'portal.alarms.col.sim': 'SIM or device',
  'portal.alarms.col.what': 'What happened',
  'portal.alarms.col.seen': 'Seen',
  'portal.alarms.col.state': 'State',
  'portal.alarms.emptyActive': 'No active alarm: your SIMs behave as usual.',
  'portal.alarms.emptyCleared': 'No ended alarm.',
  'portal.alarms.forSim': 'Only the alarms of SIM',
  'portal.alarms.allSims': 'Show every SIM',
  'portal.alarms.acknowledged': 'The service desk is on it',
  'portal.alarms.repeated': '{count} times, last {last}',
  'portal.alarms.clearedAt': 'ended {at}',
  'portal.alarms.deviceId': 'device #{id}',
  'portal.alarms.type': 'Type of alarm',
  'portal.alarms.allTypes': 'Every type',
  'portal.alarms.words.silence': 'Silent since {since}, longer than its usual rhythm allows ({allowed}).',
  'portal.alarms.words.refusedAttach': 'The network refused the SIM’s attach {count} times within {window}.',
  'portal.alarms.words.refusedSession': 'The network refused the SIM’s data sessions {count} times within {window}.',
  'portal.alarms.words.refused': 'The network refused the SIM {count} times within {window}.',
  'portal.alarms.words.refusedInARow':
    'The network refused the SIM {count} times in a row, without accepting it in between.',
  'portal.alarms.words.cause': 'Last cause: {cause}.',
  'portal.alarms.words.network': 'Network',
  'portal.alarms.words.usageDrop':
    '{bytes} in {span} up to {to}: {drop} less than it usually carries in those hours of the week ({usual}).',
  'portal.alarms.words.usageDriftUp':
    '{bytes} a day over {span} up to {to}: {change} more than it usually carries ({usual} a day).',
  'portal.alarms.words.usageDriftDown':
    '{bytes} a day over {span} up to {to}: {change} less than it usually carries ({usual} a day).',
  'portal.alarms.words.telemetryAbove':
    '{metric} was {value} on {at}, above its limit of {limit}: {count} reports in a row since {since}.',
  'portal.alarms.words.telemetryBelow':
    '{metric} was {value} on {at}, below its limit of {limit}: {count} reports in a row since {since}.',
  'portal.sim.alarms': 'Active alarms',
  'portal.sim.noAlarm': 'No active alarm on this SIM.',
  'portal.sim.allAlarms': 'All alarms of this SIM',
  'enum.alarmType.silence': 'Silent SIM',
  'enum.alarmType.refusal_burst': 'Refused by the network',
  'enum.alarmType.usage_drop': 'Less data than usual',
  'enum.alarmType.usage_drift': 'Data volume drifting from usual',
  'enum.alarmType.telemetry_threshold': 'Measurement beyond its limit',
  'enum.alarmSeverity.critical': 'Critical',
  'enum.alarmSeverity.major': 'Major',
  'enum.alarmSeverity.minor': 'Minor',
  'enum.alarmSeverity.warning': 'Warning',
  'enum.alarmStatus.active': 'Active',
  'enum.alarmStatus.cleared': 'Ended',
} as const;

type Catalog = Record<keyof typeof portalAlarmsEn, string>;

const fr: Catalog = {
  'portal.alarms.title': 'Alarmes',
  'portal.alarms.intro':
    'Ce que notre supervision a remarqué sur vos SIM et vos appareils : une SIM silencieuse plus longtemps que son rythme habituel ne le permet, que le réseau refuse à répétition, qui transmet bien moins de données que d’habitude à ce moment de la semaine, ou dont le volume de données quotidien s’écarte peu à peu de l’habitude ; un appareil dont une mesure reste au-delà de sa limite. Une alarme se termine d’elle-même quand la SIM ou l’appareil revient à la normale.',
  'portal.alarms.which': 'Quelles alarmes',
  'portal.alarms.col.severity': 'Gravité',
  'portal.alarms.col.sim': 'SIM ou appareil',
  'portal.alarms.col.what': 'Ce qui s’est passé',
  'portal.alarms.col.seen': 'Constatée',
  'portal.alarms.col.state': 'État',
  'portal.alarms.emptyActive': 'Aucune alarme active : vos SIM se comportent comme d’habitude.',
  'portal.alarms.emptyCleared': 'Aucune alarme terminée.',
  'portal.alarms.forSim': 'Seulement les alarmes de la SIM',
  'portal.alarms.allSims': 'Afficher toutes les SIM',
  'portal.alarms.acknowledged': 'Le service client s’en occupe',
  'portal.alarms.repeated': '{count} fois, la dernière le {last}',
  'portal.alarms.clearedAt': 'terminée le {at}',
  'portal.alarms.deviceId': 'appareil n° {id}',
  'portal.alarms.type': 'Type d’alarme',
  'portal.alarms.allTypes': 'Tous les types',
  'portal.alarms.words.silence':
    'Silencieuse depuis le {since}, plus longtemps que son rythme habituel ne le permet ({allowed}).',
  'portal.alarms.words.refusedAttach': 'Le réseau a refusé l’attachement de la SIM {count} fois en {window}.',
  'portal.alarms.words.refusedSession':
    'Le réseau a refusé les sessions de données de la SIM {count} fois en {window}.',
  'portal.alarms.words.refused': 'Le réseau a refusé la SIM {count} fois en {window}.',
  'portal.alarms.words.refusedInARow': 'Le réseau a refusé la SIM {count} fois de suite, sans l’accepter entre-temps.',
  'portal.alarms.words.cause': 'Dernière cause : {cause}.',
  'portal.alarms.words.network': 'Réseau',
  'portal.alarms.words.usageDrop':
    '{bytes} en {span} jusqu’au {to} : {drop} de moins que ce qu’elle transmet d’habitude à ces heures de la semaine ({usual}).',
  'portal.alarms.words.usageDriftUp':
    '{bytes} par jour sur {span} jusqu’au {to} : {change} de plus que ce qu’elle transmet d’habitude ({usual} par jour).',
  'portal.alarms.words.usageDriftDown':
    '{bytes} par jour sur {span} jusqu’au {to} : {change} de moins que ce qu’elle transmet d’habitude ({usual} par jour).',
  'portal.alarms.words.telemetryAbove':
    '{metric} était à {value} le {at}, au-dessus de sa limite de {limit} : {count} relevés de suite depuis le {since}.',
  'portal.alarms.words.telemetryBelow':
    '{metric} était à {value} le {at}, en dessous de sa limite de {limit} : {count} relevés de suite depuis le {since}.',
  'portal.sim.alarms': 'Alarmes actives',
  'portal.sim.noAlarm': 'Aucune alarme active sur cette SIM.',
  'portal.sim.allAlarms': 'Toutes les alarmes de cette SIM',
  'enum.alarmType.silence': 'SIM silencieuse',
  'enum.alarmType.refusal_burst': 'Refusée par le réseau',
  'enum.alarmType.usage_drop': 'Moins de données que d’habitude',
  'enum.alarmType.usage_drift': 'Volume de données qui dérive',
  'enum.alarmType.telemetry_threshold': 'Mesure hors de sa limite',
  'enum.alarmSeverity.critical': 'Critique',
  'enum.alarmSeverity.major': 'Majeure',
  'enum.alarmSeverity.minor': 'Mineure',
  'enum.alarmSeverity.warning': 'Avertissement',
  'enum.alarmStatus.active': 'Active',
  'enum.alarmStatus.cleared': 'Terminée',
};

const de: Catalog = {
  'portal.alarms.title': 'Alarme',
  'portal.alarms.intro':
    'Was unsere Überwachung an Ihren SIMs und Geräten bemerkt hat: eine SIM, die länger schweigt, als ihr üblicher Rhythmus erlaubt, eine, die das Netz wiederholt abweist, eine, die zu dieser Zeit der Woche viel weniger Daten überträgt als üblich, oder eine, deren tägliches Datenvolumen allmählich vom üblichen abweicht; ein Gerät, dessen Messwert jenseits seines Grenzwerts bleibt. Ein Alarm endet von selbst, sobald die SIM oder das Gerät wieder normal arbeitet.',
  'portal.alarms.which': 'Welche Alarme',
  'portal.alarms.col.severity': 'Schweregrad',
  'portal.alarms.col.sim': 'SIM oder Gerät',
  'portal.alarms.col.what': 'Was passiert ist',
  'portal.alarms.col.seen': 'Festgestellt',
  'portal.alarms.col.state': 'Status',
  'portal.alarms.emptyActive': 'Kein aktiver Alarm: Ihre SIMs verhalten sich wie gewohnt.',
  'portal.alarms.emptyCleared': 'Kein beendeter Alarm.',
  'portal.alarms.forSim': 'Nur die Alarme der SIM',
  'portal.alarms.allSims': 'Alle SIMs anzeigen',
  'portal.alarms.acknowledged': 'Der Kundenservice kümmert sich darum',
  'portal.alarms.repeated': '{count}-mal, zuletzt {last}',
  'portal.alarms.clearedAt': 'beendet {at}',
  'portal.alarms.deviceId': 'Gerät Nr. {id}',
  'portal.alarms.type': 'Art des Alarms',
  'portal.alarms.allTypes': 'Alle Arten',
  'portal.alarms.words.silence': 'Still seit {since}, länger als ihr üblicher Rhythmus erlaubt ({allowed}).',
  'portal.alarms.words.refusedAttach':
    'Das Netz hat die Anmeldung der SIM {count}-mal innerhalb von {window} abgewiesen.',
  'portal.alarms.words.refusedSession':
    'Das Netz hat die Datensitzungen der SIM {count}-mal innerhalb von {window} abgewiesen.',
  'portal.alarms.words.refused': 'Das Netz hat die SIM {count}-mal innerhalb von {window} abgewiesen.',
  'portal.alarms.words.refusedInARow':
    'Das Netz hat die SIM {count}-mal in Folge abgewiesen, ohne sie dazwischen anzunehmen.',
  'portal.alarms.words.cause': 'Letzte Ursache: {cause}.',
  'portal.alarms.words.network': 'Netz',
  'portal.alarms.words.usageDrop':
    '{bytes} innerhalb von {span} bis {to}: {drop} weniger, als sie zu diesen Stunden der Woche üblicherweise überträgt ({usual}).',
  'portal.alarms.words.usageDriftUp':
    '{bytes} pro Tag über {span} bis {to}: {change} mehr, als sie üblicherweise überträgt ({usual} pro Tag).',
  'portal.alarms.words.usageDriftDown':
    '{bytes} pro Tag über {span} bis {to}: {change} weniger, als sie üblicherweise überträgt ({usual} pro Tag).',
  'portal.alarms.words.telemetryAbove':
    '{metric} lag am {at} bei {value}, über dem Grenzwert von {limit}: {count} Meldungen in Folge seit {since}.',
  'portal.alarms.words.telemetryBelow':
    '{metric} lag am {at} bei {value}, unter dem Grenzwert von {limit}: {count} Meldungen in Folge seit {since}.',
  'portal.sim.alarms': 'Aktive Alarme',
  'portal.sim.noAlarm': 'Kein aktiver Alarm für diese SIM.',
  'portal.sim.allAlarms': 'Alle Alarme dieser SIM',
  'enum.alarmType.silence': 'Stille SIM',
  'enum.alarmType.refusal_burst': 'Vom Netz abgewiesen',
  'enum.alarmType.usage_drop': 'Weniger Daten als üblich',
  'enum.alarmType.usage_drift': 'Datenvolumen weicht vom Üblichen ab',
  'enum.alarmType.telemetry_threshold': 'Messwert jenseits des Grenzwerts',
  'enum.alarmSeverity.critical': 'Kritisch',
  'enum.alarmSeverity.major': 'Schwer',
  'enum.alarmSeverity.minor': 'Leicht',
  'enum.alarmSeverity.warning': 'Warnung',
  'enum.alarmStatus.active': 'Aktiv',
  'enum.alarmStatus.cleared': 'Beendet',
};

const it: Catalog = {
  'portal.alarms.title': 'Allarmi',
  'portal.alarms.intro':
    'Ciò che il nostro monitoraggio ha notato sulle tue SIM e sui tuoi dispositivi: una SIM silenziosa più a lungo di quanto il suo ritmo abituale consenta, una che la rete rifiuta ripetutamente, una che trasmette molti meno dati del solito per quel momento della settimana, o una il cui volume di dati giornaliero si allontana a poco a poco dal solito; un dispositivo la cui misura resta oltre il suo limite. Un allarme si chiude da solo quando la SIM o il dispositivo torna alla normalità.',
  'portal.alarms.which': 'Quali allarmi',
  'portal.alarms.col.severity': 'Gravità',
  'portal.alarms.col.sim': 'SIM o dispositivo',
  'portal.alarms.col.what': 'Cosa è successo',
  'portal.alarms.col.seen': 'Rilevato',
  'portal.alarms.col.state': 'Stato',
  'portal.alarms.emptyActive': 'Nessun allarme attivo: le tue SIM si comportano come al solito.',
  'portal.alarms.emptyCleared': 'Nessun allarme chiuso.',
  'portal.alarms.forSim': 'Solo gli allarmi della SIM',
  'portal.alarms.allSims': 'Mostra tutte le SIM',
  'portal.alarms.acknowledged': 'L’assistenza clienti se ne sta occupando',
  'portal.alarms.repeated': '{count} volte, l’ultima il {last}',
  'portal.alarms.clearedAt': 'chiuso il {at}',
  'portal.alarms.deviceId': 'dispositivo n. {id}',
  'portal.alarms.type': 'Tipo di allarme',
  'portal.alarms.allTypes': 'Tutti i tipi',
  'portal.alarms.words.silence':
    'Silenziosa dal {since}, più a lungo di quanto il suo ritmo abituale consenta ({allowed}).',
  'portal.alarms.words.refusedAttach': 'La rete ha rifiutato la registrazione della SIM {count} volte in {window}.',
  'portal.alarms.words.refusedSession': 'La rete ha rifiutato le sessioni dati della SIM {count} volte in {window}.',
  'portal.alarms.words.refused': 'La rete ha rifiutato la SIM {count} volte in {window}.',
  'portal.alarms.words.refusedInARow':
    'La rete ha rifiutato la SIM {count} volte di seguito, senza accettarla nel frattempo.',
  'portal.alarms.words.cause': 'Ultima causa: {cause}.',
  'portal.alarms.words.network': 'Rete',
  'portal.alarms.words.usageDrop':
    '{bytes} in {span} fino al {to}: il {drop} in meno di quanto trasmette di solito in queste ore della settimana ({usual}).',
  'portal.alarms.words.usageDriftUp':
    '{bytes} al giorno in {span} fino al {to}: il {change} in più di quanto trasmette di solito ({usual} al giorno).',
  'portal.alarms.words.usageDriftDown':
    '{bytes} al giorno in {span} fino al {to}: il {change} in meno di quanto trasmette di solito ({usual} al giorno).',
  'portal.alarms.words.telemetryAbove':
    '{metric} era {value} il {at}, sopra il suo limite di {limit}: {count} letture di seguito dal {since}.',
  'portal.alarms.words.telemetryBelow':
    '{metric} era {value} il {at}, sotto il suo limite di {limit}: {count} letture di seguito dal {since}.',
  'portal.sim.alarms': 'Allarmi attivi',
  'portal.sim.noAlarm': 'Nessun allarme attivo su questa SIM.',
  'portal.sim.allAlarms': 'Tutti gli allarmi di questa SIM',
  'enum.alarmType.silence': 'SIM silenziosa',
  'enum.alarmType.refusal_burst': 'Rifiutata dalla rete',
  'enum.alarmType.usage_drop': 'Meno dati del solito',
  'enum.alarmType.usage_drift': 'Volume di dati che si discosta dal solito',
  'enum.alarmType.telemetry_threshold': 'Misura oltre il limite',
  'enum.alarmSeverity.critical': 'Critico',
  'enum.alarmSeverity.major': 'Grave',
  'enum.alarmSeverity.minor': 'Lieve',
  'enum.alarmSeverity.warning': 'Avviso',
  'enum.alarmStatus.active': 'Attivo',
  'enum.alarmStatus.cleared': 'Chiuso',
};

const ru: Catalog = {
  'portal.alarms.title': 'Тревоги',
  'portal.alarms.intro':
    'Что наш мониторинг заметил на ваших SIM-картах и устройствах: SIM-карта молчит дольше, чем позволяет её обычный ритм, сеть раз за разом её отклоняет, она передаёт гораздо меньше данных, чем обычно в это время недели, или её суточный объём данных постепенно уходит от обычного; показание устройства остаётся за его пределом. Тревога снимается сама, когда SIM-карта или устройство снова работает как обычно.',
  'portal.alarms.which': 'Какие тревоги',
  'portal.alarms.col.severity': 'Важность',
  'portal.alarms.col.sim': 'SIM-карта или устройство',
  'portal.alarms.col.what': 'Что произошло',
  'portal.alarms.col.seen': 'Замечено',
  'portal.alarms.col.state': 'Состояние',
  'portal.alarms.emptyActive': 'Активных тревог нет: ваши SIM-карты работают как обычно.',
  'portal.alarms.emptyCleared': 'Снятых тревог нет.',
  'portal.alarms.forSim': 'Только тревоги SIM-карты',
  'portal.alarms.allSims': 'Показать все SIM-карты',
  'portal.alarms.acknowledged': 'Служба поддержки уже занимается',
  'portal.alarms.repeated': 'раз: {count}, последний — {last}',
  'portal.alarms.clearedAt': 'снята {at}',
  'portal.alarms.deviceId': 'устройство № {id}',
  'portal.alarms.type': 'Вид тревоги',
  'portal.alarms.allTypes': 'Все виды',
  'portal.alarms.words.silence': 'Молчит с {since} — дольше, чем позволяет её обычный ритм ({allowed}).',
  'portal.alarms.words.refusedAttach': 'Сеть отклонила регистрацию SIM-карты за {window}, раз: {count}.',
  'portal.alarms.words.refusedSession': 'Сеть отклонила сессии передачи данных SIM-карты за {window}, раз: {count}.',
  'portal.alarms.words.refused': 'Сеть отклонила SIM-карту за {window}, раз: {count}.',
  'portal.alarms.words.refusedInARow':
    'Сеть отклонила SIM-карту подряд, раз: {count}, ни разу не приняв её между попытками.',
  'portal.alarms.words.cause': 'Последняя причина: {cause}.',
  'portal.alarms.words.network': 'Сеть',
  'portal.alarms.words.usageDrop':
    '{bytes} за {span} по состоянию на {to}: на {drop} меньше, чем SIM-карта обычно передаёт в эти часы недели ({usual}).',
  'portal.alarms.words.usageDriftUp':
    '{bytes} в сутки за {span} по состоянию на {to}: на {change} больше, чем SIM-карта обычно передаёт ({usual} в сутки).',
  'portal.alarms.words.usageDriftDown':
    '{bytes} в сутки за {span} по состоянию на {to}: на {change} меньше, чем SIM-карта обычно передаёт ({usual} в сутки).',
  'portal.alarms.words.telemetryAbove':
    '{metric}: {value} на {at} — выше предела {limit}; показаний подряд: {count}, начиная с {since}.',
  'portal.alarms.words.telemetryBelow':
    '{metric}: {value} на {at} — ниже предела {limit}; показаний подряд: {count}, начиная с {since}.',
  'portal.sim.alarms': 'Активные тревоги',
  'portal.sim.noAlarm': 'Активных тревог по этой SIM-карте нет.',
  'portal.sim.allAlarms': 'Все тревоги этой SIM-карты',
  'enum.alarmType.silence': 'SIM-карта молчит',
  'enum.alarmType.refusal_burst': 'Отклонена сетью',
  'enum.alarmType.usage_drop': 'Меньше данных, чем обычно',
  'enum.alarmType.usage_drift': 'Объём данных уходит от обычного',
  'enum.alarmType.telemetry_threshold': 'Показание за пределом',
  'enum.alarmSeverity.critical': 'Критическая',
  'enum.alarmSeverity.major': 'Серьёзная',
  'enum.alarmSeverity.minor': 'Незначительная',
  'enum.alarmSeverity.warning': 'Предупреждение',
  'enum.alarmStatus.active': 'Активна',
  'enum.alarmStatus.cleared': 'Снята',
};

const sv: Catalog = {
  'portal.alarms.title': 'Larm',
  'portal.alarms.intro':
    'Det vår övervakning har märkt på dina SIM-kort och enheter: ett SIM-kort som är tyst längre än dess vanliga rytm tillåter, ett som nätet nekar gång på gång, ett som överför mycket mindre data än vanligt för den tiden i veckan, eller ett vars dagliga datamängd glider bort från det vanliga; en enhet vars mätvärde ligger kvar utanför sin gräns. Ett larm upphör av sig självt när SIM-kortet eller enheten fungerar som vanligt igen.',
  'portal.alarms.which': 'Vilka larm',
  'portal.alarms.col.severity': 'Allvarlighet',
  'portal.alarms.col.sim': 'SIM-kort eller enhet',
  'portal.alarms.col.what': 'Vad som hänt',
  'portal.alarms.col.seen': 'Sett',
  'portal.alarms.col.state': 'Status',
  'portal.alarms.emptyActive': 'Inget aktivt larm: dina SIM-kort fungerar som vanligt.',
  'portal.alarms.emptyCleared': 'Inget avslutat larm.',
  'portal.alarms.forSim': 'Endast larmen för SIM-kortet',
  'portal.alarms.allSims': 'Visa alla SIM-kort',
  'portal.alarms.acknowledged': 'Kundtjänst arbetar med det',
  'portal.alarms.repeated': '{count} gånger, senast {last}',
  'portal.alarms.clearedAt': 'avslutat {at}',
  'portal.alarms.deviceId': 'enhet nr {id}',
  'portal.alarms.type': 'Typ av larm',
  'portal.alarms.allTypes': 'Alla typer',
  'portal.alarms.words.silence': 'Tyst sedan {since}, längre än dess vanliga rytm tillåter ({allowed}).',
  'portal.alarms.words.refusedAttach': 'Nätet nekade SIM-kortets anslutning {count} gånger inom {window}.',
  'portal.alarms.words.refusedSession': 'Nätet nekade SIM-kortets datasessioner {count} gånger inom {window}.',
  'portal.alarms.words.refused': 'Nätet nekade SIM-kortet {count} gånger inom {window}.',
  'portal.alarms.words.refusedInARow':
    'Nätet nekade SIM-kortet {count} gånger i rad, utan att godkänna det däremellan.',
  'portal.alarms.words.cause': 'Senaste orsak: {cause}.',
  'portal.alarms.words.network': 'Nät',
  'portal.alarms.words.usageDrop':
    '{bytes} under {span} fram till {to}: {drop} mindre än det brukar överföra under de timmarna i veckan ({usual}).',
  'portal.alarms.words.usageDriftUp':
    '{bytes} per dag under {span} fram till {to}: {change} mer än det brukar överföra ({usual} per dag).',
  'portal.alarms.words.usageDriftDown':
    '{bytes} per dag under {span} fram till {to}: {change} mindre än det brukar överföra ({usual} per dag).',
  'portal.alarms.words.telemetryAbove':
    '{metric} var {value} den {at}, över sin gräns på {limit}: {count} rapporter i rad sedan {since}.',
  'portal.alarms.words.telemetryBelow':
    '{metric} var {value} den {at}, under sin gräns på {limit}: {count} rapporter i rad sedan {since}.',
  'portal.sim.alarms': 'Aktiva larm',
  'portal.sim.noAlarm': 'Inget aktivt larm för detta SIM-kort.',
  'portal.sim.allAlarms': 'Alla larm för detta SIM-kort',
  'enum.alarmType.silence': 'Tyst SIM-kort',
  'enum.alarmType.refusal_burst': 'Nekat av nätet',
  'enum.alarmType.usage_drop': 'Mindre data än vanligt',
  'enum.alarmType.usage_drift': 'Datamängd som glider från det vanliga',
  'enum.alarmType.telemetry_threshold': 'Mätvärde utanför gränsen',
  'enum.alarmSeverity.critical': 'Kritisk',
  'enum.alarmSeverity.major': 'Allvarlig',
  'enum.alarmSeverity.minor': 'Mindre',
  'enum.alarmSeverity.warning': 'Varning',
  'enum.alarmStatus.active': 'Aktivt',
  'enum.alarmStatus.cleared': 'Avslutat',
};

export const portalAlarmsCatalogs = { fr, de, it, ru, sv };
