// A webhook POST in one of three shapes: Rampart's own JSON, ntfy's JSON
// publish format, or Slack's incoming-webhook `{text}`.

import type {WebhookFormat} from '../config/schema.js';
import type {Notice} from './notice.js';

export interface WebhookSettings {
	url: string;
	format?: WebhookFormat;
	headers?: Record<string, string>;
}

/** How long one delivery may take: a hung endpoint must not hold the daily job. */
export const WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * ntfy publishes JSON to the server's root with the topic in the body; a
 * URL written the usual ntfy way (https://ntfy.sh/TOPIC) is split so.
 */
const ntfyTarget = (url: string): {url: string; topic: string} => {
	const parsed = new URL(url);
	const parts = parsed.pathname.split('/').filter(Boolean);
	const topic = parts.pop() ?? '';
	parsed.pathname = `/${parts.join('/')}`;
	return {url: parsed.toString(), topic};
};

export const webhookRequest = (settings: WebhookSettings, notice: Notice): {url: string; body: unknown} => {
	switch (settings.format ?? 'json') {
		case 'ntfy': {
			const {url, topic} = ntfyTarget(settings.url);
			// ntfy's priorities run 1 (min) to 5 (max); 3 is its default, 4 "high".
			return {url, body: {topic, title: notice.title, message: notice.message, priority: notice.priority === 'high' ? 4 : 3, tags: notice.tags}};
		}
		case 'slack':
			return {url: settings.url, body: {text: `*${notice.title}*\n${notice.message}`}};
		default:
			return {url: settings.url, body: {source: 'rampart', version: 1, ...notice}};
	}
};

/** POSTs the notice; throws with the reason (status, timeout, refused) when it was not accepted. */
export const sendWebhook = async (settings: WebhookSettings, notice: Notice, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<string> => {
	const {url, body} = webhookRequest(settings, notice);
	let response: Response;
	try {
		response = await fetch(url, {
			method: 'POST',
			headers: {'content-type': 'application/json', 'user-agent': 'rampart', ...settings.headers},
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(timeoutMs),
			redirect: 'error',
		});
	} catch (error) {
		const cause = (error as {cause?: {code?: string; message?: string}}).cause;
		if ((error as Error).name === 'TimeoutError') throw new Error(`no answer within ${timeoutMs / 1000} s`);
		throw new Error(cause?.code ?? cause?.message ?? (error as Error).message);
	}
	await response.body?.cancel();
	if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
	return `HTTP ${response.status}`;
};
