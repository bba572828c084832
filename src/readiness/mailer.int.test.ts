import { expect, it } from 'vitest';
import { startSmtpServer } from '../../test/smtp.ts';
import { smtpMailer } from './mailer.ts';

it('sends through the configured SMTP server, with French text intact', async () => {
  const smtp = await startSmtpServer();
  const mailer = smtpMailer({ url: smtp.url, from: 'Confiance <alertes@exemple.fr>' });
  try {
    await mailer.send({
      to: ['dsi@exemple.fr'],
      subject: 'Certificat expiré',
      text: 'Le certificat a expiré : à renouveler.',
    });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.to).toEqual(['dsi@exemple.fr']);
    expect(smtp.received[0]?.body).toMatch(/From: Confiance <alertes@exemple\.fr>/);
    await expect(
      smtpMailer({ url: 'smtp://127.0.0.1:1', from: 'a@b.fr' }).send({
        to: ['x@y.fr'],
        subject: 's',
        text: 't',
      }),
    ).rejects.toThrow();
  } finally {
    mailer.close();
    await smtp.close();
  }
});
