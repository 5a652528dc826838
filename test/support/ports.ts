export { freePort } from '../../workers/ports';
