// The configured ways to reach people, each a name, a target to show, and a
// send that resolves with what happened or throws why it did not.

import type {Settings} from '../config/schema.js';
import {sendMail} from './mail.js';
import type {Notice} from './notice.js';
import {sendWebhook} from './webhook.js';

export interface Channel {
	/** Stable: pending deliveries are kept under it. */
	name: 'email' | 'webhook';
	target: string;
	send: (notice: Notice) => Promise<string>;
}

export interface Delivery {
	channel: string;
	target: string;
	ok: boolean;
	detail: string;
}

/** The webhook URL as shown: without a query string or user info, which may hold a token. */
const showUrl = (url: string) => {
	const parsed = new URL(url);
	return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
};

export const channelsFrom = (settings: Settings, env: NodeJS.ProcessEnv = process.env): Channel[] => {
	const channels: Channel[] = [];
	const email = settings.notify?.email ?? [];
	if (email.length > 0) channels.push({name: 'email', target: email.join(', '), send: notice => sendMail(email, notice, env)});
	const webhook = settings.notify?.webhook;
	if (webhook) channels.push({name: 'webhook', target: `${showUrl(webhook.url)} (${webhook.format ?? 'json'})`, send: notice => sendWebhook(webhook, notice)});
	return channels;
};

export const deliver = async (channel: Channel, notice: Notice): Promise<Delivery> => {
	try {
		return {channel: channel.name, target: channel.target, ok: true, detail: await channel.send(notice)};
	} catch (error) {
		return {channel: channel.name, target: channel.target, ok: false, detail: (error as Error).message};
	}
};
