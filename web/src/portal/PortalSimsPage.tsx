import { useI18n } from '../i18n/index.tsx';
import { SimList } from '../sims/SimsPage.tsx';

/** The customer's own SIMs (the API scopes the list to their account's subtree). */
export default function PortalSimsPage() {
  const { t } = useI18n();
  return <SimList base="/portal/sims" title={t('portal.sims.title')} />;
}
