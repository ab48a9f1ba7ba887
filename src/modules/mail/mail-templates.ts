/**
 * The words of every mail the desk sends, in the six languages of the desk (a contact's language picks one). Pure:
 * the built-in texts below, an admin's override when there is one (mail_templates), and `render`, which fills the
 * placeholders. A template may use only the placeholders listed here — saving one with another is refused, so a
 * typo never reaches a customer as "{{casenumber}}".
 */
import { LANGUAGES } from '../accounts/accounts.schemas.ts';

export type Language = (typeof LANGUAGES)[number];

export const MAIL_KINDS = [
  'case_received',
  'agent_reply',
  'public_update',
  'waiting_for_you',
  'resolved',
  'closed',
  'status_update',
  'verification_reminder',
  'monitoring_opened',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** Sent by iotops on its own (Auto-Submitted: auto-replied); the others carry what a person wrote. */
export const AUTOMATIC_KINDS: ReadonlySet<MailKind> = new Set([
  'case_received',
  'waiting_for_you',
  'resolved',
  'closed',
  'status_update',
  'verification_reminder',
  'monitoring_opened',
]);

export const PLACEHOLDERS = [
  'caseNumber',
  'caseSubject',
  'contactName',
  'message',
  'caseState',
  'casePriority',
  'nextUpdateBy',
  'closesOn',
  'affectedSims',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
/** What each placeholder becomes (the template editor lists them; GET /mail/templates returns them). */
export const PLACEHOLDER_MEANING: Record<Placeholder, string> = {
  caseNumber: 'The case number, C-2026-000123',
  caseSubject: "The case's subject",
  contactName: "The contact's name",
  message: "What the agent wrote; in a status update, the latest public update (or the case's subject before any)",
  caseState: "Where the case stands, in the contact's words (in progress, waiting for you…)",
  casePriority: 'The priority, P1 to P4',
  nextUpdateBy: 'Status update: when the next update is due, in the contact’s language (UTC)',
  closesOn: 'Verification reminder: when the resolved case closes by itself (UTC)',
  affectedSims: 'How many SIMs the case concerns',
};
export type Template = { subject: string; body: string };

const t = (subject: string, body: string): Template => ({ subject, body });
const MSG = '{{message}}';

/** The built-in texts. The subject tag [C-…] is added by the composer, not here: it must survive any edit. */
export const DEFAULT_TEMPLATES: Record<MailKind, Record<Language, Template>> = {
  case_received: {
    en: t(
      'We received your request: {{caseSubject}}',
      'Hello {{contactName}},\n\nthank you for your message. We opened case {{caseNumber}} and will get back to you.\nPlease keep the case number in the subject when you write to us about it.',
    ),
    fr: t(
      'Nous avons bien reçu votre demande : {{caseSubject}}',
      'Bonjour {{contactName}},\n\nmerci pour votre message. Nous avons ouvert le dossier {{caseNumber}} et revenons vers vous rapidement.\nMerci de conserver le numéro du dossier dans l’objet de vos messages.',
    ),
    de: t(
      'Wir haben Ihre Anfrage erhalten: {{caseSubject}}',
      'Guten Tag {{contactName}},\n\nvielen Dank für Ihre Nachricht. Wir haben den Fall {{caseNumber}} eröffnet und melden uns bei Ihnen.\nBitte behalten Sie die Fallnummer im Betreff, wenn Sie uns dazu schreiben.',
    ),
    it: t(
      'Abbiamo ricevuto la sua richiesta: {{caseSubject}}',
      'Gentile {{contactName}},\n\ngrazie per il suo messaggio. Abbiamo aperto la pratica {{caseNumber}} e la ricontatteremo.\nLa preghiamo di mantenere il numero della pratica nell’oggetto quando ci scrive.',
    ),
    ru: t(
      'Мы получили ваш запрос: {{caseSubject}}',
      'Здравствуйте, {{contactName}}!\n\nСпасибо за ваше сообщение. Мы открыли обращение {{caseNumber}} и свяжемся с вами.\nПожалуйста, сохраняйте номер обращения в теме письма.',
    ),
    sv: t(
      'Vi har tagit emot ditt ärende: {{caseSubject}}',
      'Hej {{contactName}},\n\ntack för ditt meddelande. Vi har öppnat ärende {{caseNumber}} och återkommer till dig.\nBehåll ärendenumret i ämnesraden när du skriver till oss om det.',
    ),
  },
  agent_reply: {
    en: t('{{caseSubject}}', MSG),
    fr: t('{{caseSubject}}', MSG),
    de: t('{{caseSubject}}', MSG),
    it: t('{{caseSubject}}', MSG),
    ru: t('{{caseSubject}}', MSG),
    sv: t('{{caseSubject}}', MSG),
  },
  public_update: {
    en: t(
      'Update on your case: {{caseSubject}}',
      `Hello {{contactName}},\n\nthere is an update on case {{caseNumber}}:\n\n${MSG}`,
    ),
    fr: t(
      'Mise à jour de votre dossier : {{caseSubject}}',
      `Bonjour {{contactName}},\n\nle dossier {{caseNumber}} a été mis à jour :\n\n${MSG}`,
    ),
    de: t(
      'Neuigkeiten zu Ihrem Fall: {{caseSubject}}',
      `Guten Tag {{contactName}},\n\nes gibt Neuigkeiten zu Fall {{caseNumber}}:\n\n${MSG}`,
    ),
    it: t(
      'Aggiornamento sulla sua pratica: {{caseSubject}}',
      `Gentile {{contactName}},\n\nla pratica {{caseNumber}} è stata aggiornata:\n\n${MSG}`,
    ),
    ru: t(
      'Новости по вашему обращению: {{caseSubject}}',
      `Здравствуйте, {{contactName}}!\n\nПо обращению {{caseNumber}} есть новости:\n\n${MSG}`,
    ),
    sv: t(
      'Uppdatering av ditt ärende: {{caseSubject}}',
      `Hej {{contactName}},\n\närende {{caseNumber}} har uppdaterats:\n\n${MSG}`,
    ),
  },
  waiting_for_you: {
    en: t(
      'We need your input: {{caseSubject}}',
      'Hello {{contactName}},\n\nto go on with case {{caseNumber}} we need information from you. Please reply to this mail.',
    ),
    fr: t(
      'Nous avons besoin de votre retour : {{caseSubject}}',
      'Bonjour {{contactName}},\n\npour avancer sur le dossier {{caseNumber}}, nous avons besoin d’informations de votre part. Merci de répondre à ce message.',
    ),
    de: t(
      'Wir brauchen Ihre Rückmeldung: {{caseSubject}}',
      'Guten Tag {{contactName}},\n\num Fall {{caseNumber}} weiter zu bearbeiten, brauchen wir Angaben von Ihnen. Bitte antworten Sie auf diese Nachricht.',
    ),
    it: t(
      'Abbiamo bisogno di un suo riscontro: {{caseSubject}}',
      'Gentile {{contactName}},\n\nper proseguire con la pratica {{caseNumber}} abbiamo bisogno di informazioni da lei. La preghiamo di rispondere a questo messaggio.',
    ),
    ru: t(
      'Нужен ваш ответ: {{caseSubject}}',
      'Здравствуйте, {{contactName}}!\n\nЧтобы продолжить работу по обращению {{caseNumber}}, нам нужна информация от вас. Пожалуйста, ответьте на это письмо.',
    ),
    sv: t(
      'Vi behöver svar från dig: {{caseSubject}}',
      'Hej {{contactName}},\n\nför att komma vidare med ärende {{caseNumber}} behöver vi information från dig. Svara gärna på det här meddelandet.',
    ),
  },
  resolved: {
    en: t(
      'Resolved: {{caseSubject}}',
      'Hello {{contactName}},\n\ncase {{caseNumber}} is resolved. We keep it open a few days to verify that all is well; reply to this mail if the problem is still there.',
    ),
    fr: t(
      'Résolu : {{caseSubject}}',
      'Bonjour {{contactName}},\n\nle dossier {{caseNumber}} est résolu. Nous le gardons ouvert quelques jours pour vérifier que tout va bien ; répondez à ce message si le problème persiste.',
    ),
    de: t(
      'Gelöst: {{caseSubject}}',
      'Guten Tag {{contactName}},\n\nFall {{caseNumber}} ist gelöst. Wir lassen ihn einige Tage offen, um zu prüfen, dass alles läuft; antworten Sie auf diese Nachricht, falls das Problem weiter besteht.',
    ),
    it: t(
      'Risolto: {{caseSubject}}',
      'Gentile {{contactName}},\n\nla pratica {{caseNumber}} è risolta. La teniamo aperta qualche giorno per verificare che tutto funzioni; risponda a questo messaggio se il problema persiste.',
    ),
    ru: t(
      'Решено: {{caseSubject}}',
      'Здравствуйте, {{contactName}}!\n\nОбращение {{caseNumber}} решено. Несколько дней мы проверяем, что всё работает; если проблема осталась, ответьте на это письмо.',
    ),
    sv: t(
      'Löst: {{caseSubject}}',
      'Hej {{contactName}},\n\närende {{caseNumber}} är löst. Vi håller det öppet några dagar för att kontrollera att allt fungerar; svara på det här meddelandet om problemet finns kvar.',
    ),
  },
  closed: {
    en: t(
      'Closed: {{caseSubject}}',
      'Hello {{contactName}},\n\ncase {{caseNumber}} is closed. Thank you. If you write to us about it again, we will open a follow-up.',
    ),
    fr: t(
      'Clos : {{caseSubject}}',
      'Bonjour {{contactName}},\n\nle dossier {{caseNumber}} est clos. Merci. Si vous nous écrivez à nouveau à ce sujet, nous ouvrirons un dossier de suivi.',
    ),
    de: t(
      'Abgeschlossen: {{caseSubject}}',
      'Guten Tag {{contactName}},\n\nFall {{caseNumber}} ist abgeschlossen. Vielen Dank. Schreiben Sie uns erneut dazu, eröffnen wir einen Folgefall.',
    ),
    it: t(
      'Chiusa: {{caseSubject}}',
      'Gentile {{contactName}},\n\nla pratica {{caseNumber}} è chiusa. Grazie. Se ci scriverà di nuovo al riguardo, apriremo una pratica di seguito.',
    ),
    ru: t(
      'Закрыто: {{caseSubject}}',
      'Здравствуйте, {{contactName}}!\n\nОбращение {{caseNumber}} закрыто. Спасибо. Если вы снова напишете нам об этом, мы откроем новое обращение.',
    ),
    sv: t(
      'Avslutat: {{caseSubject}}',
      'Hej {{contactName}},\n\närende {{caseNumber}} är avslutat. Tack. Skriver du till oss om det igen öppnar vi ett uppföljningsärende.',
    ),
  },
  status_update: {
    en: t(
      'Status of your case: {{caseSubject}}',
      'Hello {{contactName}},\n\ncase {{caseNumber}} ({{casePriority}}) is {{caseState}}. We are working on it and will update you again by {{nextUpdateBy}}.\n\nLatest update:\n' +
        MSG,
    ),
    fr: t(
      'État de votre dossier : {{caseSubject}}',
      'Bonjour {{contactName}},\n\nle dossier {{caseNumber}} ({{casePriority}}) est {{caseState}}. Nous y travaillons et vous informerons à nouveau avant le {{nextUpdateBy}}.\n\nDernière mise à jour :\n' +
        MSG,
    ),
    de: t(
      'Stand Ihres Falls: {{caseSubject}}',
      'Guten Tag {{contactName}},\n\nFall {{caseNumber}} ({{casePriority}}) ist {{caseState}}. Wir arbeiten daran und informieren Sie spätestens am {{nextUpdateBy}} erneut.\n\nLetzter Stand:\n' +
        MSG,
    ),
    it: t(
      'Stato della sua pratica: {{caseSubject}}',
      'Gentile {{contactName}},\n\nla pratica {{caseNumber}} ({{casePriority}}) è {{caseState}}. Ci stiamo lavorando e la aggiorneremo di nuovo entro il {{nextUpdateBy}}.\n\nUltimo aggiornamento:\n' +
        MSG,
    ),
    ru: t(
      'Статус вашего обращения: {{caseSubject}}',
      'Здравствуйте, {{contactName}}!\n\nОбращение {{caseNumber}} ({{casePriority}}): {{caseState}}. Мы работаем над ним и сообщим новости не позднее {{nextUpdateBy}}.\n\nПоследнее обновление:\n' +
        MSG,
    ),
    sv: t(
      'Status för ditt ärende: {{caseSubject}}',
      'Hej {{contactName}},\n\närende {{caseNumber}} ({{casePriority}}) är {{caseState}}. Vi arbetar med det och hör av oss igen senast {{nextUpdateBy}}.\n\nSenaste uppdatering:\n' +
        MSG,
    ),
  },
  verification_reminder: {
    en: t(
      'Is all well? {{caseSubject}}',
      'Hello {{contactName}},\n\ncase {{caseNumber}} was resolved and closes on {{closesOn}}. If the problem is still there, reply to this mail and we will take it up again.',
    ),
    fr: t(
      'Tout fonctionne ? {{caseSubject}}',
      'Bonjour {{contactName}},\n\nle dossier {{caseNumber}} a été résolu et sera clos le {{closesOn}}. Si le problème persiste, répondez à ce message et nous le reprendrons.',
    ),
    de: t(
      'Läuft alles? {{caseSubject}}',
      'Guten Tag {{contactName}},\n\nFall {{caseNumber}} wurde gelöst und wird am {{closesOn}} abgeschlossen. Besteht das Problem weiter, antworten Sie auf diese Nachricht und wir nehmen ihn wieder auf.',
    ),
    it: t(
      'Tutto a posto? {{caseSubject}}',
      'Gentile {{contactName}},\n\nla pratica {{caseNumber}} è stata risolta e sarà chiusa il {{closesOn}}. Se il problema persiste, risponda a questo messaggio e la riprenderemo.',
    ),
    ru: t(
      'Всё работает? {{caseSubject}}',
      'Здравствуйте, {{contactName}}!\n\nОбращение {{caseNumber}} решено и будет закрыто {{closesOn}}. Если проблема осталась, ответьте на это письмо, и мы продолжим работу.',
    ),
    sv: t(
      'Fungerar allt? {{caseSubject}}',
      'Hej {{contactName}},\n\närende {{caseNumber}} är löst och avslutas {{closesOn}}. Finns problemet kvar, svara på det här meddelandet så tar vi upp det igen.',
    ),
  },
  // Monitoring found it before the customer did: what we saw and what we do, in their words (not the case's
  // English subject). The causes a monitoring case has: silence, refusals, usage drop or drift (alarm-cases.ts).
  monitoring_opened: {
    en: t(
      'We noticed a problem with {{affectedSims}} of your SIMs',
      'Hello {{contactName}},\n\nour monitoring noticed that {{affectedSims}} of your SIMs are not sending data as they usually do (silent for longer than their rhythm allows, refused by the network, or carrying far more or far less data than usual).\n\nWe opened case {{caseNumber}} and are looking into it; you need not do anything. We will write again when we know more or when it is solved.\nIf you know the reason (maintenance, devices switched off), just reply to this mail.',
    ),
    fr: t(
      'Nous avons détecté un problème sur {{affectedSims}} de vos cartes SIM',
      'Bonjour {{contactName}},\n\nnotre supervision a détecté que {{affectedSims}} de vos cartes SIM n’envoient plus de données comme d’habitude (silencieuses plus longtemps que leur rythme habituel, refusées par le réseau, ou transmettant beaucoup plus ou beaucoup moins de données que d’habitude).\n\nNous avons ouvert le dossier {{caseNumber}} et l’analysons ; vous n’avez rien à faire. Nous reviendrons vers vous dès que nous en saurons plus ou que le problème sera résolu.\nSi vous en connaissez la raison (maintenance, appareils éteints), répondez simplement à ce message.',
    ),
    de: t(
      'Wir haben ein Problem mit {{affectedSims}} Ihrer SIM-Karten bemerkt',
      'Guten Tag {{contactName}},\n\nunsere Überwachung hat bemerkt, dass {{affectedSims}} Ihrer SIM-Karten nicht wie gewohnt Daten senden (länger still, als ihr üblicher Rhythmus erlaubt, vom Netz abgewiesen oder mit weit mehr oder weniger Daten als üblich).\n\nWir haben den Fall {{caseNumber}} eröffnet und gehen der Sache nach; Sie müssen nichts tun. Wir melden uns, sobald wir mehr wissen oder das Problem gelöst ist.\nKennen Sie den Grund (Wartung, ausgeschaltete Geräte), antworten Sie einfach auf diese Nachricht.',
    ),
    it: t(
      'Abbiamo rilevato un problema su {{affectedSims}} delle sue SIM',
      'Gentile {{contactName}},\n\nil nostro monitoraggio ha rilevato che {{affectedSims}} delle sue SIM non inviano dati come di consueto (silenziose più a lungo di quanto il loro ritmo consenta, rifiutate dalla rete, o con molti più o molti meno dati del solito).\n\nAbbiamo aperto la pratica {{caseNumber}} e stiamo verificando; non deve fare nulla. La ricontatteremo appena sapremo di più o quando il problema sarà risolto.\nSe ne conosce il motivo (manutenzione, dispositivi spenti), risponda semplicemente a questo messaggio.',
    ),
    ru: t(
      'Мы заметили проблему с {{affectedSims}} вашими SIM-картами',
      'Здравствуйте, {{contactName}}!\n\nНаш мониторинг заметил, что {{affectedSims}} ваших SIM-карт не передают данные как обычно (молчат дольше, чем позволяет их ритм, сеть им отказывает, или передают намного больше или меньше данных, чем обычно).\n\nМы открыли обращение {{caseNumber}} и разбираемся; от вас ничего не требуется. Мы напишем, как только узнаем больше или решим проблему.\nЕсли вы знаете причину (обслуживание, устройства выключены), просто ответьте на это письмо.',
    ),
    sv: t(
      'Vi har upptäckt ett problem med {{affectedSims}} av dina SIM-kort',
      'Hej {{contactName}},\n\nvår övervakning har upptäckt att {{affectedSims}} av dina SIM-kort inte skickar data som vanligt (tysta längre än deras rytm tillåter, nekade av nätet, eller med mycket mer eller mindre data än vanligt).\n\nVi har öppnat ärende {{caseNumber}} och undersöker saken; du behöver inte göra något. Vi hör av oss när vi vet mer eller när problemet är löst.\nOm du vet orsaken (underhåll, avstängda enheter), svara bara på det här meddelandet.',
    ),
  },
};

/** A case's state in the customer's words (the {{caseState}} placeholder). */
const STATE_WORDS: Record<Language, Record<string, string>> = {
  en: {
    new: 'received',
    open: 'in progress',
    pending_customer: 'waiting for you',
    pending_provider: 'waiting for our partner',
    resolved: 'resolved',
    closed: 'closed',
    cancelled: 'cancelled',
  },
  fr: {
    new: 'reçu',
    open: 'en cours',
    pending_customer: 'en attente de votre retour',
    pending_provider: 'en attente de notre partenaire',
    resolved: 'résolu',
    closed: 'clos',
    cancelled: 'annulé',
  },
  de: {
    new: 'eingegangen',
    open: 'in Bearbeitung',
    pending_customer: 'wartet auf Sie',
    pending_provider: 'wartet auf unseren Partner',
    resolved: 'gelöst',
    closed: 'abgeschlossen',
    cancelled: 'storniert',
  },
  it: {
    new: 'ricevuta',
    open: 'in lavorazione',
    pending_customer: 'in attesa di un suo riscontro',
    pending_provider: 'in attesa del nostro partner',
    resolved: 'risolta',
    closed: 'chiusa',
    cancelled: 'annullata',
  },
  ru: {
    new: 'получено',
    open: 'в работе',
    pending_customer: 'ждёт вашего ответа',
    pending_provider: 'ждёт ответа партнёра',
    resolved: 'решено',
    closed: 'закрыто',
    cancelled: 'отменено',
  },
  sv: {
    new: 'mottaget',
    open: 'under arbete',
    pending_customer: 'väntar på dig',
    pending_provider: 'väntar på vår partner',
    resolved: 'löst',
    closed: 'avslutat',
    cancelled: 'avbrutet',
  },
};
export const stateWords = (state: string, language: Language): string => STATE_WORDS[language][state] ?? state;

/** An instant as the contact reads it: in its language, in UTC (said so), to the minute. */
export const dateWords = (at: Date, language: Language): string =>
  `${new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(at)} UTC`;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The placeholders a text uses that are not ours ("{{casenumber}}"), for the save-time check. */
export function unknownPlaceholders(text: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((p) => !known.has(p)))];
}

/** Fills the placeholders; the subject stays one line (a value with a line break must not add a header). */
export function render(tpl: Template, values: Record<Placeholder, string>): Template {
  const fill = (s: string) =>
    s.replace(PLACEHOLDER, (all, p: string) => (p in values ? values[p as Placeholder] : all));
  return {
    subject: fill(tpl.subject)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    body: fill(tpl.body),
  };
}

export const isLanguage = (l: string): l is Language => (LANGUAGES as readonly string[]).includes(l);
