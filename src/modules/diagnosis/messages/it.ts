import { type CustomerMessages, list, v } from './types.ts';

export const it: CustomerMessages = {
  causes: {
    sim_not_active: (f) =>
      `La SIM non è attiva (stato ${v(f.state)} dal ${v(f.since)}), quindi la rete non le permette di connettersi. Attivatela nel portale o chiedeteci di farlo.`,
    test_allowance_used: (f) =>
      `La SIM ha esaurito la sua soglia di test${f.usedMb === undefined ? '' : ` (${f.usedMb} di ${v(f.limitMb)} MB)`} del piano tariffario ${v(f.plan)}, quindi il suo traffico è bloccato. Attivate la SIM per continuare.`,
    subscription_refused: (f) =>
      `Dal ${v(f.since)} la rete rifiuta l'abbonamento della SIM (causa ${v(f.cause)}), benché da noi risulti attiva. Stiamo inviando di nuovo il suo profilo alla rete; sul dispositivo non c'è nulla da cambiare.`,
    identity_rejected: (f) =>
      `Dal ${v(f.since)} la rete rifiuta l'identità della SIM o del dispositivo (causa ${v(f.cause)}). Verificate che la SIM sia nel dispositivo previsto; stiamo indagando.`,
    quota_exhausted: (f) =>
      `La SIM ha esaurito il traffico dati incluso (${v(f.usedMb)} di ${v(f.limitMb)} MB nel piano tariffario ${v(f.plan)}), quindi i dati sono bloccati dal ${v(f.since)}. Aumentate il limite o scegliete un piano tariffario con più dati per riprendere.`,
    sim_blocked_by_limit: (f) =>
      `Dal ${v(f.since)} i dati di questa SIM sono bloccati dal suo limite di consumo. Aumentate o rimuovete il limite per riprendere.`,
    data_not_in_plan: (f) =>
      `Il piano ${v(f.plan)} non include i dati, quindi il dispositivo non può aprire sessioni dati. Spostate la SIM su un piano con dati.`,
    plmn_not_allowed: (f) =>
      `Dal ${v(f.since)} il dispositivo tenta di usare la rete ${v(f.network)}, non inclusa nel piano ${v(f.plan)} della SIM, e viene respinto. Fate usare al dispositivo una rete consentita, oppure chiedeteci di aggiungere questa.`,
    apn_typo: (f) =>
      `Il dispositivo è configurato con l'APN «${v(f.apn)}», che non esiste: sembra un errore di battitura di «${v(f.rightApn)}». Impostate sul dispositivo l'APN «${v(f.rightApn)}» (respinto dal ${v(f.since)}).`,
    apn_not_in_plan: (f) =>
      `Il dispositivo è configurato con l'APN «${v(f.apn)}», che non fa parte del piano della SIM (respinto dal ${v(f.since)}). Impostate sul dispositivo l'APN ${list(f.planApns, 'o')}.`,
    roaming_partner_outage: (f) =>
      f.fleetWide
        ? `La rete partner ${v(f.network)} ha dal ${v(f.since)} un problema che riguarda diversi clienti. Ci stiamo lavorando con il partner; nel frattempo il dispositivo può usare un'altra rete.`
        : `Dal ${v(f.since)} la rete partner ${v(f.network)} respinge il dispositivo (causa ${v(f.cause)}), il che indica un problema su quella rete. Stiamo verificando con il partner; nel frattempo il dispositivo può usare un'altra rete.`,
    network_outage: (f) =>
      f.fleetWide
        ? `La rete ${v(f.network)} ha dal ${v(f.since)} un problema che riguarda diversi clienti. Ci stiamo lavorando; sul dispositivo non c'è nulla da cambiare.`
        : `Dal ${v(f.since)} la rete ${v(f.network)} respinge il dispositivo (causa ${v(f.cause)}), il che indica un problema di rete. Lo stiamo verificando.`,
    apn_gateway_outage: (f) =>
      f.fleetWide
        ? `Il gateway dati dell'APN «${v(f.apn)}» ha dal ${v(f.since)} un problema che riguarda diversi clienti. Ci stiamo lavorando; le sessioni riprenderanno da sole una volta risolto.`
        : `Dal ${v(f.since)} il gateway dati dell'APN «${v(f.apn)}» rifiuta le sessioni (causa ${v(f.cause)}), il che indica un problema del gateway. Lo stiamo verificando.`,
    registration_rejected: (f) =>
      `Dal ${v(f.since)} la rete ${v(f.network)} rifiuta la registrazione del dispositivo (causa ${v(f.cause)}), mentre funziona per altri dispositivi. Riavviate il dispositivo e controllatene le impostazioni di rete; noi ne reimpostiamo la connessione.`,
    session_rejected: (f) =>
      `Dal ${v(f.since)} le sessioni dati del dispositivo sull'APN «${v(f.apn)}» vengono rifiutate (causa ${v(f.cause)}). Riavviate il dispositivo e controllatene le impostazioni APN (nome utente, password, tipo di IP).`,
    unexplained: (f) =>
      `Dal ${v(f.since)} la rete ${v(f.network)} rifiuta ${f.attempt === 'session' ? 'le sessioni dati' : 'la registrazione'} del dispositivo (causa ${v(f.cause)}). Nulla di ciò che vediamo lo spiega ancora: il piano e la SIM sono in ordine e nessun altro dispositivo usava quella rete per un confronto. Stiamo verificando.`,
    device_silent: (f) =>
      `Il dispositivo non contatta la rete dal ${v(f.lastSeen)} (${v(f.silentHours)} ore), più a lungo del solito. Verificate l'alimentazione e l'antenna, poi riavviatelo.`,
    service_not_in_plan: (f) =>
      f.service === 'voice'
        ? `Il dispositivo effettua chiamate, ma la voce non fa parte del piano ${v(f.plan)}. Aggiungete la voce al piano, oppure impedite al dispositivo di chiamare.`
        : `Il dispositivo invia o riceve SMS, ma gli SMS non fanno parte del piano ${v(f.plan)}. Aggiungete gli SMS al piano, oppure disattivateli sul dispositivo.`,
    imei_changed: (f) =>
      `La SIM è stata spostata in un altro dispositivo il ${v(f.since)} (IMEI ${v(f.newImei)}, prima ${v(f.oldImei)}). Se non era previsto, avvisateci subito.${f.imeiLocked ? ` È vincolata all'IMEI ${v(f.oldImei)}, quindi la rete la rifiuta nel nuovo dispositivo: rimettetela al suo posto o chiedeteci di spostare il vincolo sul nuovo dispositivo.` : ''}`,
    healthy: (f) =>
      `La SIM funziona normalmente: ultimo contatto il ${v(f.lastSeen)}${f.network ? ` su ${f.network}` : ''}.`,
    no_events_yet: () =>
      'Non abbiamo ancora ricevuto alcuna attività di rete per questa SIM. Apparirà qui non appena il dispositivo sarà acceso con la SIM inserita.',
  },
  recovered: 'Nel frattempo il dispositivo funziona di nuovo.',
};
