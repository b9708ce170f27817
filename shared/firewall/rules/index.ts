export { parseNftRuleset, NftJsonError, canonicalNet, type NftRuleset, type NftRule, type RuleFacts } from './nft';
export { attributeRuleset, isFirewalldTable, type AttributeOptions } from './attribute';
export { chainOwner, layoutOf, type ChainOwner, type ChainPart } from './chains';
export * from './contract';
