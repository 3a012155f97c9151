// What a Rampart configuration file may say. Every key is optional: a file
// holds only what its writer wants to change. Unknown keys are errors, so a
// typo (`notfy:`) is caught instead of silently doing nothing.

import {z} from 'zod';

export const WEBHOOK_FORMATS = ['json', 'ntfy', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const httpUrl = z.string().refine(text => {
	try {
		const url = new URL(text);
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}, 'must be an http:// or https:// URL');

export const settingsSchema = z.strictObject({
	notify: z
		.strictObject({
			email: z.array(z.email('must be an e-mail address')).optional(),
			webhook: z
				.strictObject({
					url: httpUrl,
					format: z.enum(WEBHOOK_FORMATS).optional(),
					headers: z.record(z.string(), z.string()).optional(),
				})
				.optional(),
			motd: z.boolean().optional(),
		})
		.optional(),
	sign: z
		.strictObject({
			key: z.string().min(1).optional(),
			allowedSigners: z.string().min(1).optional(),
		})
		.optional(),
});

export type Settings = z.infer<typeof settingsSchema>;
