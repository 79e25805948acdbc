// Takes the screenshots in docs/images/ from a fresh demo, in Debian's
// chromium: `node scripts/screenshots.mjs` after `make`. Pages are
// captured as a new user sees them, so the docs stay true to the code.
import { startServer, launchBrowser, newPage, signIn, patientId, query } from '../tests/e2e/lib.mjs';

const out = new URL('../docs/images/', import.meta.url).pathname;
const server = await startServer();
const browser = await launchBrowser();
const pid = patientId(server);

async function shot(user, path, file, opts = {}) {
  const page = await newPage(browser, { viewport: opts.viewport || { width: 1100, height: 900 } });
  await signIn(page, server.url, user);
  await page.goto(server.url + path);
  if (opts.before) await opts.before(page);
  await page.screenshot({ path: out + file, fullPage: !!opts.full });
  await page.context().close();
}

try {
  await shot('patient', '/', 'home-patient.png');
  await shot('patient', `/patients/${pid}/plan`, 'care-plan.png');
  const goal = query(server, `SELECT CAST(id AS TEXT) AS id FROM care_item WHERE patient_id = ${pid} AND text LIKE 'Walk to the park%'`)[0].id;
  await shot('patient', `/patients/${pid}/plan/items/${goal}`, 'care-plan-history.png', {
    before: (p) => p.getByRole('heading', { name: 'History' }).scrollIntoViewIfNeeded(),
  });
  // Two people change the same goal: the second sees the merge view.
  await shot('nurse', `/patients/${pid}/plan/items/${goal}/edit`, 'care-plan-merge.png', {
    before: async (p) => {
      const other = await newPage(browser);
      await signIn(other, server.url, 'patient');
      await other.goto(`${server.url}/patients/${pid}/plan/items/${goal}/edit`);
      await other.getByLabel("The goal, in the patient's own words").fill('Walk to the park and back, then to the shops');
      await other.getByRole('button', { name: 'Save' }).click();
      await other.context().close();
      await p.getByLabel("The goal, in the patient's own words").fill('Walk to the park and back with a rest on the bench');
      await p.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('heading', { name: 'Someone else changed this while you were editing' }).waitFor();
    },
  });
  await shot('patient', `/patients/${pid}/crisis`, 'crisis-plan.png', { viewport: { width: 390, height: 844 } });
  await shot('doctor', `/patients/${pid}/notes`, 'notes.png');
  await shot('patient', `/patients/${pid}/reviews/new`, 'review-conversation.png');
  await shot('patient', `/patients/${pid}/measures`, 'dashboard.png');
  // A PHQ-9 question on a phone: the one due on María's home page.
  await shot('patient', '/', 'questionnaire-phone.png', {
    viewport: { width: 390, height: 844 },
    before: async (p) => {
      await p.getByRole('button', { name: /Answer: / }).first().click();
      await p.waitForLoadState('domcontentloaded');
    },
  });
  // The import preview of a small file with two bad rows.
  const day = (n) => new Date(Date.now() - n * 86400e3).toISOString().slice(0, 10);
  const csv = ['date,time,measure,value,unit', `${day(3)},08:30,blood-pressure,131/84,mmHg`,
    `${day(3)},08:31,heart rate,71,`, `${day(2)},07:50,weight,"81,4",kg`,
    `${day(2)},08:10,blood-pressure,900/80,mmHg`, `${day(1)},25:00,weight,81.2,kg`,
    `${day(1)},08:15,blood-pressure,128/82,mmHg`].join('\n');
  await shot('patient', `/patients/${pid}/readings/import`, 'readings-import.png', {
    full: true,
    before: async (p) => {
      await p.locator('#file').setInputFiles({ name: 'my-readings.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await p.getByRole('button', { name: 'Check the file' }).click();
      await p.waitForLoadState('domcontentloaded');
    },
  });
  // Appointments: booking on a phone, and a professional's week.
  await shot('patient', `/patients/${pid}/appointments/new`, 'contact-appointment-book.png', { viewport: { width: 390, height: 844 } });
  await shot('doctor', '/appointments?view=week', 'contact-appointment-schedule.png');
  // Notifications: a person's preferences on a phone, and the
  // administrator's outbox with the demo's dead-letter list.
  await shot('patient', '/account/notifications', 'contact-notifications.png', { viewport: { width: 390, height: 844 } });
  // A token for a program, just made: shown once (docs/fhir.md).
  await shot('patient', '/account', 'api-token.png', {
    before: async (p) => {
      await p.getByLabel('Token name').fill('Blood pressure app');
      await p.getByLabel('Or exact SMART scopes').fill('patient/Observation.crs patient/Patient.r');
      await p.getByRole('button', { name: 'Create token' }).click();
      await p.locator('.notice code.secret').scrollIntoViewIfNeeded();
    },
  });
  await shot('admin', '/admin/outbox', 'contact-outbox.png', { full: true });
  // Research consent on the patient's "People who help me" page, on a phone.
  await shot('patient', `/patients/${pid}/grants`, 'research-consent.png', {
    viewport: { width: 390, height: 844 },
    before: (p) => p.getByRole('heading', { name: 'Research' }).scrollIntoViewIfNeeded(),
  });
  // Messages: the patient's list on a phone, a conversation the doctor answers.
  await shot('patient', '/messages', 'contact-messages.png', { viewport: { width: 390, height: 844 } });
  const thread = query(server, `SELECT CAST(id AS TEXT) AS id FROM message_thread WHERE patient_id = ${pid} AND subject = 'Dizzy in the mornings'`)[0].id;
  const quick = query(server, "SELECT CAST(id AS TEXT) AS id FROM message_template WHERE title = 'Please book a visit'")[0].id;
  await shot('doctor', `/messages/${thread}?template=${quick}#reply`, 'contact-message-reply.png', { full: true });
  // Asking for help online: María's requests on a phone, the red flags
  // first, and the doctor's queue.
  const ask = query(server, `SELECT CAST(id AS TEXT) AS id FROM consultation WHERE patient_id = ${pid} AND status = 'closed' ORDER BY submitted_at DESC LIMIT 1`)[0].id;
  await shot('patient', '/consult', 'contact-consult.png', { viewport: { width: 390, height: 844 } });
  await shot('patient', '/consult/new?kind=new_problem', 'contact-consult-red-flags.png', { viewport: { width: 390, height: 844 } });
  await shot('patient', `/consult/${ask}`, 'contact-consult-request.png', { viewport: { width: 390, height: 844 }, full: true });
  await shot('doctor', '/triage', 'contact-triage.png');
  // Journeys and touchpoint analytics (issue 10).
  await shot('patient', `/patients/${pid}/journey`, 'contact-journey.png', { viewport: { width: 390, height: 844 } });
  await shot('improvement', '/touchpoints?split=digital', 'contact-analytics.png', { full: true });
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
