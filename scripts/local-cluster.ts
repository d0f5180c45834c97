/** Where `npm run cluster`'s ingress stand-in listens; `npm start` puts it into workspace endpoints. */
export const LOCAL_INGRESS_PORT = 9443;
