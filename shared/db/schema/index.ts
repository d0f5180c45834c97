export * from './billing';
export * from './identity';
export * from './ops';
export * from './orgs';
export * from './workspaces';
export * from './usage';
