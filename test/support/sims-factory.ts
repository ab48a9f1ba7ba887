import { randomInt } from 'node:crypto';
import { CreateCommunicationPlanBody, CreateRatePlanBody } from '../../src/modules/catalog/catalog.schemas.ts';
import { displayIccid } from '../../src/modules/sims/identifiers.ts';
import type { SimState } from '../../src/modules/sims/lifecycle.ts';
import { CreateSimBody } from '../../src/modules/sims/sims.schemas.ts';
import { cliPrincipal } from '../../src/platform/auth.ts';
import type { Services } from '../../src/services.ts';
import { uniq } from './harness.ts';

const staff = cliPrincipal('sims-factory');
const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

/** A random ICCID body: 89 + 17 digits (19). The chance two tests collide is negligible (10^17). */
export const randomIccid = () => `89${digits(17)}`;
/** A 15-digit IMSI with a real home PLMN (240 07, Sweden). */
export const randomImsi = () => `24007${digits(10)}`;
/** A Swedish-looking E.164 MSISDN without '+'. */
export const randomMsisdn = () => `467${digits(9)}`;

export type MadeSim = { iccid: string; iccid20: string; imsis: string[]; msisdn: string };

/** N valid SIMs on an account, created through the service (so each gets its 'created' audit row). */
export async function makeSims(
  services: Services,
  accountId: number,
  n: number,
  opts: {
    state?: SimState;
    labels?: string[];
    communicationPlanId?: number;
    ratePlanId?: number;
    imsisPerSim?: number;
  } = {},
): Promise<MadeSim[]> {
  const out: MadeSim[] = [];
  for (let i = 0; i < n; i++) {
    const iccid = randomIccid();
    const imsis = Array.from({ length: opts.imsisPerSim ?? 1 }, randomImsi);
    const msisdn = randomMsisdn();
    await services.sims.create(
      staff,
      CreateSimBody.parse({
        iccid,
        imsis,
        msisdn,
        accountId,
        state: opts.state ?? 'INVENTORY',
        labels: opts.labels ?? [],
        communicationPlanId: opts.communicationPlanId,
        ratePlanId: opts.ratePlanId,
      }),
    );
    out.push({ iccid, iccid20: displayIccid(iccid), imsis, msisdn });
  }
  return out;
}

/** A communication plan and a rate plan owned by an account (available to its subtree). */
export async function makePlans(services: Services, accountId: number) {
  const u = uniq();
  const cp = await services.catalog.createCommunicationPlan(
    staff,
    CreateCommunicationPlanBody.parse({ name: `CP ${u}`, accountId, apns: ['iot.example'], allowedRats: ['4G'] }),
  );
  const rp = await services.catalog.createRatePlan(
    staff,
    CreateRatePlanBody.parse({ name: `RP ${u}`, accountId, currency: 'EUR', monthlyFee: '1.50' }),
  );
  return { communicationPlanId: cp.id, ratePlanId: rp.id, communicationPlanName: cp.name, ratePlanName: rp.name };
}
