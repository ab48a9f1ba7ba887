import { type CustomerMessages, list, v } from './types.ts';

export const fr: CustomerMessages = {
  causes: {
    sim_not_active: (f) =>
      `La carte SIM n'est pas active (état ${v(f.state)} depuis le ${v(f.since)}) : le réseau ne la laisse pas se connecter. Activez-la dans le portail ou demandez-nous de le faire.`,
    test_allowance_used: (f) =>
      `La carte SIM a épuisé son forfait de test${f.usedMb === undefined ? '' : ` (${f.usedMb} Mo sur ${v(f.limitMb)} Mo)`} du plan tarifaire ${v(f.plan)} : son trafic est suspendu. Activez la carte SIM pour continuer.`,
    subscription_refused: (f) =>
      `Depuis le ${v(f.since)}, le réseau refuse l'abonnement de la carte SIM (cause ${v(f.cause)}), alors qu'elle est active chez nous. Nous renvoyons son profil au réseau ; rien n'est à modifier sur l'appareil.`,
    identity_rejected: (f) =>
      `Depuis le ${v(f.since)}, le réseau refuse l'identité de la carte SIM ou de l'appareil (cause ${v(f.cause)}). Vérifiez que la carte SIM se trouve bien dans l'appareil prévu ; nous analysons le problème.`,
    quota_exhausted: (f) =>
      `La carte SIM a consommé son volume de données (${v(f.usedMb)} Mo sur ${v(f.limitMb)} Mo du plan tarifaire ${v(f.plan)}) : les données sont bloquées depuis le ${v(f.since)}. Relevez la limite ou choisissez un plan tarifaire avec plus de données pour reprendre.`,
    sim_blocked_by_limit: (f) =>
      `Depuis le ${v(f.since)}, les données de cette carte SIM sont bloquées par sa limite de consommation. Relevez ou levez la limite pour reprendre.`,
    data_not_in_plan: (f) =>
      `Le plan ${v(f.plan)} n'inclut pas les données : l'appareil ne peut pas ouvrir de session de données. Passez la carte SIM sur un plan avec données.`,
    plmn_not_allowed: (f) =>
      `Depuis le ${v(f.since)}, l'appareil essaie d'utiliser le réseau ${v(f.network)}, que le plan ${v(f.plan)} de la carte SIM n'inclut pas, et il est refusé. Laissez l'appareil utiliser un réseau autorisé, ou demandez-nous d'ajouter celui-ci.`,
    apn_typo: (f) =>
      `L'appareil est configuré avec l'APN « ${v(f.apn)} », qui n'existe pas : il s'agit probablement d'une faute de frappe pour « ${v(f.rightApn)} ». Veuillez régler l'APN de l'appareil sur « ${v(f.rightApn)} » (refusé depuis le ${v(f.since)}).`,
    apn_not_in_plan: (f) =>
      `L'appareil est configuré avec l'APN « ${v(f.apn)} », qui ne fait pas partie du plan de la carte SIM (refusé depuis le ${v(f.since)}). Veuillez régler l'APN de l'appareil sur ${list(f.planApns, 'ou')}.`,
    roaming_partner_outage: (f) =>
      f.fleetWide
        ? `Le réseau partenaire ${v(f.network)} rencontre depuis le ${v(f.since)} un problème qui touche plusieurs clients. Nous le traitons avec le partenaire ; l'appareil peut utiliser un autre réseau en attendant.`
        : `Depuis le ${v(f.since)}, le réseau partenaire ${v(f.network)} refuse l'appareil (cause ${v(f.cause)}), ce qui indique un problème sur ce réseau. Nous vérifions avec le partenaire ; l'appareil peut utiliser un autre réseau en attendant.`,
    network_outage: (f) =>
      f.fleetWide
        ? `Le réseau ${v(f.network)} rencontre depuis le ${v(f.since)} un problème qui touche plusieurs clients. Nous le traitons ; rien n'est à modifier sur l'appareil.`
        : `Depuis le ${v(f.since)}, le réseau ${v(f.network)} refuse l'appareil (cause ${v(f.cause)}), ce qui indique un problème de réseau. Nous le vérifions.`,
    apn_gateway_outage: (f) =>
      f.fleetWide
        ? `La passerelle de données de l'APN « ${v(f.apn)} » rencontre depuis le ${v(f.since)} un problème qui touche plusieurs clients. Nous le traitons ; les sessions reprendront d'elles-mêmes une fois le problème résolu.`
        : `Depuis le ${v(f.since)}, la passerelle de données de l'APN « ${v(f.apn)} » refuse les sessions (cause ${v(f.cause)}), ce qui indique un problème de passerelle. Nous le vérifions.`,
    registration_rejected: (f) =>
      `Depuis le ${v(f.since)}, le réseau ${v(f.network)} refuse l'enregistrement de l'appareil (cause ${v(f.cause)}), alors qu'il fonctionne pour d'autres appareils. Redémarrez l'appareil et vérifiez ses paramètres réseau ; nous réinitialisons sa connexion.`,
    session_rejected: (f) =>
      `Depuis le ${v(f.since)}, les sessions de données de l'appareil sur l'APN « ${v(f.apn)} » sont refusées (cause ${v(f.cause)}). Redémarrez l'appareil et vérifiez ses paramètres d'APN (identifiant, mot de passe, type d'IP).`,
    unexplained: (f) =>
      `Depuis le ${v(f.since)}, le réseau ${v(f.network)} refuse ${f.attempt === 'session' ? 'les sessions de données' : "l'enregistrement"} de l'appareil (cause ${v(f.cause)}). Rien de ce que nous voyons ne l'explique encore : l'offre et la carte SIM sont en ordre, et aucun autre appareil n'utilisait ce réseau pour comparer. Nous examinons la situation.`,
    device_silent: (f) =>
      `L'appareil n'a pas contacté le réseau depuis le ${v(f.lastSeen)} (${v(f.silentHours)} heures), plus longtemps que d'habitude. Vérifiez son alimentation et son antenne, puis redémarrez-le.`,
    service_not_in_plan: (f) =>
      f.service === 'voice'
        ? `L'appareil passe des appels, mais la voix ne fait pas partie du plan ${v(f.plan)}. Ajoutez la voix au plan, ou empêchez l'appareil d'appeler.`
        : `L'appareil envoie ou reçoit des SMS, mais les SMS ne font pas partie du plan ${v(f.plan)}. Ajoutez les SMS au plan, ou désactivez-les sur l'appareil.`,
    imei_changed: (f) =>
      `La carte SIM a changé d'appareil le ${v(f.since)} (IMEI ${v(f.newImei)}, auparavant ${v(f.oldImei)}). Si ce n'était pas voulu, prévenez-nous immédiatement.${f.imeiLocked ? ` Elle est verrouillée sur l'IMEI ${v(f.oldImei)} : le réseau la refuse dans le nouvel appareil. Remettez-la en place, ou demandez-nous de transférer le verrouillage au nouvel appareil.` : ''}`,
    healthy: (f) =>
      `La carte SIM fonctionne normalement : dernier contact le ${v(f.lastSeen)}${f.network ? ` sur ${f.network}` : ''}.`,
    no_events_yet: () =>
      "Nous n'avons encore reçu aucune activité réseau pour cette carte SIM. Elle apparaîtra ici dès que l'appareil sera allumé avec la carte SIM insérée.",
  },
  recovered: "Entre-temps, l'appareil fonctionne de nouveau.",
};
