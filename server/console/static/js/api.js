// The one way pages talk to the server: JSON over /staff/v1 with the session cookie and CSRF token.
//
//   import { api, ApiError } from '../api.js';
//   const guide = await api.get(`/staff/v1/guides/${id}`);
//   await api.put(`/staff/v1/guides/${id}`, { base_version: 3, content });
//   const ref = await api.upload(`/staff/v1/guides/${id}/attachments?filename=a.pdf`, file, { onProgress });
//
// Failures throw ApiError carrying the server's {"error": {"code", "message", ...}}: show err.message.
// A 401 (session gone) calls the handler registered with onSessionLost, then throws as well.

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SESSION_CODES = new Set(['session_missing', 'session_invalid', 'session_expired']);

let csrfToken = null;
let sessionLost = () => {};
let activity = () => {};

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details; // the rest of the error object (fields, current_version, retry_after, ...)
  }
}

export function setCsrfToken(token) {
  csrfToken = token;
}

// fn(error) runs when a call answers 401 with a session error (expired, invalid, missing).
export function onSessionLost(fn) {
  sessionLost = fn;
}

// fn() runs after every successful call (each one slides the server's idle expiry).
export function onActivity(fn) {
  activity = fn;
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  if (!text) return path;
  return path + (path.includes('?') ? '&' : '?') + text;
}

async function errorOf(status, text) {
  let payload = null;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = null;
  }
  if (payload && payload.error && payload.error.message) {
    const { code, message, ...details } = payload.error;
    return new ApiError(status, code || `http_${status}`, message, details);
  }
  const fallback = status >= 500 ? `服务器错误（${status}），请稍后再试` : `请求失败（${status}）`;
  return new ApiError(status, `http_${status}`, fallback);
}

function handleFailure(error, options) {
  if (error.status === 401 && SESSION_CODES.has(error.code) && !options.quietSession) {
    sessionLost(error);
  }
  throw error;
}

// options: json (body object), query (object), headers, quietSession (no session-lost handling).
export async function request(method, path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  let body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method, headers, body, credentials: 'same-origin', cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error', '无法连接服务器，请检查网络后重试');
  }
  const text = await response.text();
  if (!response.ok) return handleFailure(await errorOf(response.status, text), options);
  activity();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'bad_response', '服务器返回了无法识别的内容');
  }
}

// Raw-body upload with progress (fetch cannot report upload progress). Resolves to the JSON answer.
export function upload(path, file, { onProgress, query, quietSession } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', withQuery(path, query));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    if (onProgress) {
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
    }
    xhr.onerror = () => reject(new ApiError(0, 'network_error', '上传失败：无法连接服务器'));
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        activity();
        try {
          resolve(xhr.responseText ? JSON.parse(xhr.responseText) : null);
        } catch {
          reject(new ApiError(xhr.status, 'bad_response', '服务器返回了无法识别的内容'));
        }
        return;
      }
      const error = await errorOf(xhr.status, xhr.responseText);
      try {
        handleFailure(error, { quietSession });
      } catch (thrown) {
        reject(thrown);
      }
    };
    xhr.send(file);
  });
}

export const api = {
  request,
  upload,
  get: (path, options) => request('GET', path, options),
  post: (path, json, options = {}) => request('POST', path, { ...options, json }),
  put: (path, json, options = {}) => request('PUT', path, { ...options, json }),
  patch: (path, json, options = {}) => request('PATCH', path, { ...options, json }),
  delete: (path, options) => request('DELETE', path, options),
};
