/**
 * The Authorization header OpenAI-compatible servers expect, for every request servebench sends them (the load,
 * GET /v1/models): OPENAI_API_KEY where set (as vLLM's and GuideLLM's clients do), else "EMPTY", vLLM's convention
 * (servers without a key accept any token; some, llm-katan among them, refuse a request without one).
 */
export const openaiAuthorization = (): string => `Bearer ${process.env.OPENAI_API_KEY || 'EMPTY'}`;
